// The central access check, run by dispatch() before a route's handler:
//   kPublic    nothing;
//   kLoopback  the client address must be loopback, else 403 FORBIDDEN;
//   kUser      an `Authorization: Bearer <access_token>` header whose token
//              verifies (services/access_token.h) and whose token version is
//              the account's (services/token_versions.h, read through ctx.db
//              at most every ACCESS_REVOCATION_LAG_S seconds per worker); its
//              Principal goes into ctx.principal;
//   kAdmin     as kUser, and the role must be admin, else 403 FORBIDDEN.
// A missing or non-Bearer header is 401 UNAUTHORIZED with
// `WWW-Authenticate: Bearer`; a token that does not verify is 401 with
// `WWW-Authenticate: Bearer error="invalid_token"`, and so is a token revoked
// by a password or role change or whose account is gone.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/http.h"
#include "common/router.h"

namespace server {

// The token of an Authorization header value "Bearer <token>" (the scheme is
// case-insensitive, RFC 7235; one or more spaces before the token), or
// nullopt for another scheme or a value that is not exactly one token.
std::optional<std::string_view> bearer_token(std::string_view authorization);

// Throws AppError as above; returns when the caller may run the route.
void check_access(common::Access access, const common::Request& req, common::RouteContext& ctx);

}  // namespace server
