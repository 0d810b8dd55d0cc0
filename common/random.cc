#include "common/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "common/base64url.h"

namespace common {

void random_bytes(void* buf, size_t n) {
  auto* out = static_cast<unsigned char*>(buf);
  while (n > 0) {
    const ssize_t got = ::getrandom(out, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("getrandom failed: ") + std::strerror(errno));
    }
    out += got;
    n -= static_cast<size_t>(got);
  }
}

std::string random_token(size_t n) {
  std::vector<unsigned char> bytes(n);
  random_bytes(bytes.data(), n);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), n));
}

}  // namespace common
