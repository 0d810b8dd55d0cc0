// Account changes that end sessions (API.md "Identity"): a password change by
// the account's owner, and the command line's create-or-update of an account.
// Both bump the account's token version (its access tokens end within
// ACCESS_REVOCATION_LAG_S, services/token_versions.h) and revoke every refresh
// token of it, each family under its lock (repositories/token_repository.h).
// No HTTP here.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/pg.h"

namespace services {

struct PasswordChange {
  std::string current_password;
  std::string new_password;
};

// Body of POST /auth/password: current_password (string, 1..1024 bytes, not
// checked for shape) and new_password (as a registration's password: 8..72
// bytes, no NUL). Throws AppError(kValidationError) naming every bad field.
PasswordChange parse_password_change(const Json::Value& body);

// Sets the account's password when `change.current_password` is its current
// one, and in the same transaction bumps its token version (its access
// tokens end within ACCESS_REVOCATION_LAG_S) and revokes every refresh token
// of it, each family under its lock. Throws AppError(kInvalidCredentials)
// for a wrong current password (after one bcrypt verification),
// AppError(kUnavailable) with Retry-After when no pool-wide hashing slot frees
// in time (services/password_hashing.h), and AppError(kUnauthorized) when the
// account no longer exists.
void change_password(common::pg::Connection& db, const common::Config& config, int64_t user_id,
                     const PasswordChange& change);

// For the command line and the seed: creates the account with `role` and the
// password, or, when the email has an account, sets its role and (when
// given) its password. A change of either also bumps the account's token
// version and revokes its refresh tokens, like change_password(). A new
// account needs a password. Throws
// AppError(kValidationError) for a bad email, password or role.
struct AccountChange {
  int64_t user_id = 0;
  bool created = false;
  bool role_changed = false;
  bool password_changed = false;
};
AccountChange upsert_account(common::pg::Connection& db, int bcrypt_cost, std::string_view email,
                             const std::optional<std::string>& password, const std::string& role);

}  // namespace services
