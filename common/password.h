// Password hashing: bcrypt ("$2b$") through libxcrypt, with the salt from the
// kernel's CSPRNG. The hash string carries its own cost and salt.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace common {

// API.md: passwords are 8..72 bytes (bcrypt reads no further than 72).
inline constexpr size_t kMinPasswordBytes = 8;
inline constexpr size_t kMaxPasswordBytes = 72;
// BCRYPT_COST range accepted by the configuration (libxcrypt allows up to 31;
// 15 already takes seconds per hash).
inline constexpr int kMinBcryptCost = 4;
inline constexpr int kMaxBcryptCost = 15;

// A "$2b$<cost>$<salt+hash>" string (60 characters). Requires a password of at
// most kMaxPasswordBytes without NUL bytes (std::invalid_argument otherwise;
// the minimum length is the caller's rule) and cost in 4..31. Throws
// std::runtime_error when libxcrypt or the random source fails.
std::string hash_password(std::string_view password, int cost);

// True when `password` hashes to `stored` (compared in constant time). False
// for a password that could not have been hashed (NUL bytes, over 72 bytes)
// and for a stored string that is not a hash libxcrypt understands. Takes the
// stored hash's cost in time whenever the stored hash is valid, also when the
// password itself is refused. Never throws.
bool verify_password(std::string_view password, std::string_view stored);

}  // namespace common
