// JSON Web Tokens (RFC 7519), HS256 only: the access tokens of API.md
// "Identity". Pure functions of their arguments (the clock is a parameter).
//
// verify() pins the algorithm: a token whose header says anything but
// {"alg": "HS256"} (including "none") is refused before its signature is
// looked at, and signatures are compared in constant time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace common::jwt {

struct Claims {
  int64_t sub = 0;   // the user id; a decimal string in the token ("sub": "42")
  std::string role;  // "user" | "admin" (checked by the caller, not here)
  int64_t iat = 0;   // issued at, seconds since the epoch
  int64_t exp = 0;   // expires at, seconds since the epoch
  std::string jti;   // unique token id
  // The account's token version when the token was issued ("ver"): a
  // password or role change bumps the account's version and so ends older
  // tokens. A token without the claim reads as version 0.
  int64_t ver = 0;
};

// How far the clocks of the issuing and the verifying host may disagree.
inline constexpr int64_t kLeewaySeconds = 30;
// Longer tokens are refused unread.
inline constexpr size_t kMaxTokenBytes = 4096;

enum class Failure {
  kNone,
  kMissingKey,            // the secret is empty: nothing verifies
  kMalformed,             // not three base64url parts, not JSON, missing or mistyped claims
  kUnsupportedAlgorithm,  // alg is not exactly "HS256" (e.g. "none", "RS256"), or "crit" is present
  kBadSignature,          // HMAC-SHA256 over "header.payload" does not match
  kExpired,               // now >= exp + leeway
  kNotYetValid,           // iat (or nbf) is later than now + leeway
};

struct Verification {
  Failure failure = Failure::kMalformed;
  Claims claims;  // meaningful only when ok()
  bool ok() const { return failure == Failure::kNone; }
};

// "header.payload.signature" with header {"alg":"HS256","typ":"JWT"}.
// Throws std::invalid_argument when `secret` is empty and std::runtime_error
// when OpenSSL fails.
std::string sign(const Claims& claims, std::string_view secret);

// Checks, in this order: size and shape, the header's algorithm, the
// signature, the claims' types, then exp/iat/nbf against `now` with `leeway`.
// Never throws.
Verification verify(std::string_view token, std::string_view secret, int64_t now,
                    int64_t leeway = kLeewaySeconds);

// A short English reason for logs ("expired", "bad signature", ...).
const char* describe(Failure failure);

}  // namespace common::jwt
