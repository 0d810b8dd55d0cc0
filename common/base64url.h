// base64url without padding (RFC 4648 section 5), the encoding of JWT parts
// and of refresh tokens.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace common {

// Unpadded base64url of any bytes.
std::string base64url_encode(std::string_view bytes);

// Strict decoding: only [A-Za-z0-9_-], no padding, no whitespace, a length
// that unpadded base64 can have (not 1 mod 4), and zero bits where the last
// character has bits to spare (so every byte string has one encoding).
// nullopt for anything else.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace common
