// Access tokens (JWT HS256, API.md "Identity") as the service issues and
// checks them: the claims it puts in, and the Principal the central access
// check (workers/server/dispatch.cc) gets out of an Authorization header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/config.h"
#include "workers/server/context.h"

namespace services {

// Seconds since the epoch, from the system clock.
int64_t unix_now();

// A token for `user_id` with `role`, issued at `now` and valid for
// config.access_token_ttl_s seconds, with a random jti. Requires
// config.jwt_secret (see common::ensure_jwt_secret); throws
// AppError(kInternal) when it is empty.
std::string issue_access_token(const common::Config& config, int64_t user_id,
                               const std::string& role, int64_t now);

// The caller named by an `Authorization: Bearer <token>` header value (the
// scheme is case-insensitive). Throws AppError(kUnauthorized) with a
// `WWW-Authenticate: Bearer` header when the header is missing or not a
// Bearer token, and with `Bearer error="invalid_token"` when the token is
// malformed, not HS256, badly signed, expired, not yet valid, or names a role
// other than "user" and "admin".
common::Principal authenticate(const std::optional<std::string>& authorization,
                               const common::Config& config, int64_t now);

}  // namespace services
