// What the kernel says about the calling process, read from /proc/self.
#pragma once

#include <cstdint>

namespace server {

// The resident set size of the calling process in bytes (/proc/self/statm:
// one open, read and close). 0 when it cannot be read.
[[nodiscard]] int64_t resident_bytes();

}  // namespace server
