#include "workers/server/access_check.h"

#include <cctype>

#include "common/error.h"
#include "workers/services/access_token.h"
#include "workers/services/token_versions.h"

namespace server {

using common::AppError;
using common::ErrorCode;

namespace {

bool is_loopback(const std::string& addr) {
  return addr.starts_with("127.") || addr == "::1" || addr.starts_with("::ffff:127.");
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

AppError unauthorized(const std::string& message, const char* challenge) {
  AppError error(ErrorCode::kUnauthorized, message);
  error.with_header("WWW-Authenticate", challenge);
  return error;
}

common::Principal authenticate(const common::Request& req, common::RouteContext& ctx) {
  const auto header = req.header("authorization");
  if (!header || header->empty()) throw unauthorized("authentication required", "Bearer");
  const auto token = bearer_token(*header);
  if (!token) {
    throw unauthorized("the Authorization header must be \"Bearer <access_token>\"", "Bearer");
  }
  try {
    const int64_t now = services::unix_now();
    const services::VerifiedAccess access = services::verify_access_token(*token, ctx.config, now);
    services::process_token_versions().check(ctx.db, access.principal.user_id, access.version,
                                             ctx.config.access_revocation_lag_s, now);
    return access.principal;
  } catch (const AppError& e) {
    if (e.code() != ErrorCode::kUnauthorized) throw;
    throw unauthorized(e.what(), "Bearer error=\"invalid_token\"");
  }
}

}  // namespace

std::optional<std::string_view> bearer_token(std::string_view value) {
  const size_t space = value.find(' ');
  if (space == std::string_view::npos || !iequals(value.substr(0, space), "Bearer")) {
    return std::nullopt;
  }
  std::string_view token = value.substr(space);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  if (token.empty() || token.find_first_of(" \t,") != std::string_view::npos) return std::nullopt;
  return token;
}

void check_access(common::Access access, const common::Request& req, common::RouteContext& ctx) {
  switch (access) {
    case common::Access::kPublic:
      return;
    case common::Access::kLoopback:
      if (!is_loopback(req.remote_addr)) {
        throw AppError(ErrorCode::kForbidden, "this endpoint is reachable from loopback only");
      }
      return;
    case common::Access::kUser:
    case common::Access::kAdmin:
      ctx.principal = authenticate(req, ctx);
      if (access == common::Access::kAdmin && !ctx.principal->is_admin()) {
        throw AppError(ErrorCode::kForbidden, "this endpoint needs the admin role");
      }
      return;
  }
}

}  // namespace server
