// Randomness for secrets (token ids, refresh tokens, salts, generated
// passwords): always the kernel's CSPRNG through getrandom(2), never a
// user-space generator, so nothing is inherited across fork().
#pragma once

#include <cstddef>
#include <string>

namespace common {

// Fills buf[0..n) with random bytes. Blocks only until the kernel pool is
// initialised at boot. Throws std::runtime_error when getrandom fails for any
// reason other than an interrupted call.
void random_bytes(void* buf, size_t n);

// `n` random bytes as unpadded base64url (ceil(4n/3) characters).
std::string random_token(size_t n);

}  // namespace common
