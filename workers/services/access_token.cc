#include "workers/services/access_token.h"

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

}  // namespace

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string issue_access_token(const common::Config& config, int64_t user_id,
                               const std::string& role, int64_t version, int64_t now) {
  if (config.jwt_secret.empty()) {
    throw AppError(ErrorCode::kInternal, "internal error", Json::Value(),
                   "JWT_SECRET is empty: ensure_jwt_secret() did not run");
  }
  const common::jwt::Claims claims{
      user_id, role, now, now + config.access_token_ttl_s, common::random_token(kJtiBytes),
      version};
  return common::jwt::sign(claims, config.jwt_secret);
}

VerifiedAccess verify_access_token(std::string_view token, const common::Config& config,
                                   int64_t now) {
  const common::jwt::Verification v = common::jwt::verify(token, config.jwt_secret, now);
  if (!v.ok()) {
    if (v.failure == common::jwt::Failure::kMissingKey) {
      common::log::error("JWT_SECRET is empty: no access token can be verified");
    }
    throw AppError(ErrorCode::kUnauthorized, v.failure == common::jwt::Failure::kExpired
                                                 ? std::string("access token has expired")
                                                 : std::string("access token is invalid (") +
                                                       common::jwt::describe(v.failure) + ")");
  }
  if (v.claims.role != "user" && v.claims.role != "admin") {
    throw AppError(ErrorCode::kUnauthorized, "access token is invalid: unknown role");
  }
  return VerifiedAccess{common::Principal{v.claims.sub, v.claims.role}, v.claims.ver};
}

}  // namespace services
