// The access-token verifier (common::jwt::verify) over arbitrary tokens, with
// a fixed secret and clock: it must never throw, and it must not accept what
// it did not sign. The input, hex-encoded, is also signed as the token id and
// verified back, which must round-trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/jwt.h"

namespace {

constexpr std::string_view kSecret = "fuzz-secret-fuzz-secret-fuzz-secret-0123";
constexpr int64_t kNow = 1'700'000'000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  const common::jwt::Verification v = common::jwt::verify(token, kSecret, kNow);
  (void)common::jwt::describe(v.failure);

  common::jwt::Claims claims;
  claims.sub = 42;
  claims.role = "user";
  claims.iat = kNow;
  claims.exp = kNow + 900;
  claims.jti = "jti-";                        // never empty: the verifier requires one
  for (const char c : token.substr(0, 32)) {  // hex: a jti is always ASCII
    claims.jti += "0123456789abcdef"[static_cast<unsigned char>(c) >> 4];
    claims.jti += "0123456789abcdef"[static_cast<unsigned char>(c) & 0xf];
  }
  const std::string signed_token = common::jwt::sign(claims, kSecret);
  const common::jwt::Verification back = common::jwt::verify(signed_token, kSecret, kNow);
  if (!back.ok() || back.claims.jti != claims.jti || back.claims.sub != claims.sub) std::abort();
  if (common::jwt::verify(signed_token, "another-secret-another-secret-0123456", kNow).ok()) {
    std::abort();
  }
  return 0;
}
