#include "workers/services/access_token.h"

#include <cctype>
#include <chrono>

#include "common/error.h"
#include "common/jwt.h"
#include "common/log.h"
#include "common/random.h"

namespace services {

using common::AppError;
using common::ErrorCode;

namespace {

constexpr size_t kJtiBytes = 16;

AppError unauthorized(const std::string& message, const char* challenge) {
  AppError error(ErrorCode::kUnauthorized, message);
  error.with_header("WWW-Authenticate", challenge);
  return error;
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

// The token of "Bearer <token>" (RFC 6750: one or more spaces between), or
// nullopt for another scheme or a value that is not one token.
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

}  // namespace

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string issue_access_token(const common::Config& config, int64_t user_id,
                               const std::string& role, int64_t now) {
  if (config.jwt_secret.empty()) {
    throw AppError(ErrorCode::kInternal, "internal error", Json::Value(),
                   "JWT_SECRET is empty: ensure_jwt_secret() did not run");
  }
  const common::jwt::Claims claims{user_id, role, now, now + config.access_token_ttl_s,
                                   common::random_token(kJtiBytes)};
  return common::jwt::sign(claims, config.jwt_secret);
}

common::Principal authenticate(const std::optional<std::string>& authorization,
                               const common::Config& config, int64_t now) {
  if (!authorization || authorization->empty()) {
    throw unauthorized("authentication required", "Bearer");
  }
  const auto token = bearer_token(*authorization);
  if (!token) {
    throw unauthorized("the Authorization header must be \"Bearer <access_token>\"", "Bearer");
  }
  const common::jwt::Verification v = common::jwt::verify(*token, config.jwt_secret, now);
  if (!v.ok()) {
    if (v.failure == common::jwt::Failure::kMissingKey) {
      common::log::error("JWT_SECRET is empty: no access token can be verified");
    }
    throw unauthorized(
        v.failure == common::jwt::Failure::kExpired
            ? std::string("access token has expired")
            : std::string("access token is invalid (") + common::jwt::describe(v.failure) + ")",
        "Bearer error=\"invalid_token\"");
  }
  if (v.claims.role != "user" && v.claims.role != "admin") {
    throw unauthorized("access token is invalid: unknown role", "Bearer error=\"invalid_token\"");
  }
  return common::Principal{v.claims.sub, v.claims.role};
}

}  // namespace services
