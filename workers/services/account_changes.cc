#include "workers/services/account_changes.h"

#include "common/error.h"
#include "common/password.h"
#include "workers/repositories/token_repository.h"
#include "workers/repositories/user_repository.h"
#include "workers/services/auth_service.h"
#include "workers/services/password_hashing.h"

namespace services {

namespace pg = common::pg;
using common::AppError;
using common::ErrorCode;

namespace {

constexpr size_t kMaxCurrentPasswordBytes = 1024;  // as a login's password

}  // namespace

PasswordChange parse_password_change(const Json::Value& body) {
  common::FieldErrors errors;
  PasswordChange out;
  const Json::Value& current = body["current_password"];
  if (current.isNull()) {
    errors.add("current_password", "is required");
  } else if (!current.isString() || current.asString().empty() ||
             current.asString().size() > kMaxCurrentPasswordBytes) {
    errors.add("current_password", "must be a string of 1 to 1024 bytes");
  } else {
    out.current_password = current.asString();
  }
  const Json::Value& next = body["new_password"];
  if (next.isNull()) {
    errors.add("new_password", "is required");
  } else if (!next.isString()) {
    errors.add("new_password", "must be a string of 8 to 72 bytes");
  } else {
    out.new_password = next.asString();
    if (auto problem = password_problem(out.new_password)) errors.add("new_password", *problem);
  }
  errors.throw_if_any();
  return out;
}

void change_password(pg::Connection& db, const common::Config& config, int64_t user_id,
                     const PasswordChange& change) {
  const auto user = repo::find_user_by_id(db, user_id);
  if (!user) {
    AppError error(ErrorCode::kUnauthorized, "the account of this token no longer exists");
    error.with_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    throw error;
  }
  const auto slot = hashing_slot();
  const bool matches = common::verify_password(
      change.current_password,
      user->hashed_password ? *user->hashed_password : dummy_hash(config.bcrypt_cost));
  if (!user->hashed_password || !matches) {
    throw AppError(ErrorCode::kInvalidCredentials, "current password is wrong");
  }
  // Hashed before the transaction: it never waits on bcrypt.
  const std::string hashed = common::hash_password(change.new_password, config.bcrypt_cost);
  pg::transaction(db, [&](pg::Connection& c) {
    (void)repo::set_password(c, user_id, hashed);
    (void)repo::revoke_refresh_tokens_of_user(c, user_id);
  });
}

AccountChange upsert_account(pg::Connection& db, int bcrypt_cost, std::string_view email,
                             const std::optional<std::string>& password, const std::string& role) {
  common::FieldErrors errors;
  const std::string normalised = normalise_email(email);
  if (auto problem = email_problem(normalised)) errors.add("email", *problem);
  if (password) {
    if (auto problem = password_problem(*password)) errors.add("password", *problem);
  }
  if (role != "user" && role != "admin") errors.add("role", "must be user or admin");
  errors.throw_if_any();

  const std::optional<std::string> hashed =
      password ? std::optional<std::string>(common::hash_password(*password, bcrypt_cost))
               : std::nullopt;
  return pg::transaction(db, [&](pg::Connection& c) {
    AccountChange change;
    const auto existing = repo::find_user_by_email(c, normalised);
    if (!existing) {
      if (!hashed) {
        Json::Value details(Json::objectValue);
        details["password"] = "is required for a new account";
        throw AppError(ErrorCode::kValidationError, "password is required for a new account",
                       details);
      }
      change.user_id = repo::insert_user(c, normalised, *hashed, role).id;
      change.created = true;
      return change;
    }
    change.user_id = existing->id;
    change.role_changed = existing->role != role;
    change.password_changed = hashed.has_value();
    if (change.role_changed || change.password_changed) {
      // Bumps the token version too: the account's access tokens end within
      // ACCESS_REVOCATION_LAG_S, its refresh tokens now.
      (void)repo::update_user(c, existing->id, role, hashed);
      (void)repo::revoke_refresh_tokens_of_user(c, existing->id);
    }
    return change;
  });
}

}  // namespace services
