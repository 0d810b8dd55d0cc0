// SHA-256 through OpenSSL, as lower-case hex: the checksum of migration files
// and the stored form of refresh tokens.
#pragma once

#include <string>
#include <string_view>

namespace common {

// 64 lower-case hex digits. Throws std::runtime_error when OpenSSL cannot
// compute the digest (it has no SHA-256, which no supported build lacks).
std::string sha256_hex(std::string_view bytes);

// Lower-case hex of any bytes.
std::string hex_encode(std::string_view bytes);

}  // namespace common
