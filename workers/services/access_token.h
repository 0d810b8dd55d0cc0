// Access tokens (JWT HS256, API.md "Identity") as the service issues and
// checks them: the claims it puts in, and the Principal a token names. The
// Authorization header is the central access check's business
// (workers/server/access_check.h); this takes the token alone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/principal.h"

namespace services {

// Seconds since the epoch, from the system clock.
int64_t unix_now();

// A token for `user_id` with `role` and the account's token version
// `version` (claim "ver", services/token_versions.h), issued at `now` and
// valid for config.access_token_ttl_s seconds, with a random jti. Requires
// config.jwt_secret (see common::ensure_jwt_secret); throws
// AppError(kInternal) when it is empty.
std::string issue_access_token(const common::Config& config, int64_t user_id,
                               const std::string& role, int64_t version, int64_t now);

// What a verified access token says.
struct VerifiedAccess {
  common::Principal principal;
  int64_t version = 0;  // the account's token version when it was issued
};

// The caller `token` names, verified at `now` (signature and claims only:
// whether its version is still current is services/token_versions.h's
// business). Throws AppError(kUnauthorized) when the token is malformed, not
// HS256, badly signed, expired, not yet valid, or names a role other than
// "user" and "admin" (and when config.jwt_secret is empty: then nothing
// verifies).
[[nodiscard]] VerifiedAccess verify_access_token(std::string_view token,
                                                 const common::Config& config, int64_t now);

}  // namespace services
