// Accounts: named SQL over `users`. No HTTP, no password hashing here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/pg.h"

namespace repo {

struct User {
  int64_t id = 0;
  std::string email;                           // normalised (lower case)
  std::optional<std::string> hashed_password;  // nullopt: the account cannot log in
  std::string role;                            // "user" | "admin"
  std::string created_at;                      // RFC 3339
  int64_t token_version = 0;                   // bumped by a password or role change (claim "ver")
};

// Inserts an account and returns it. Throws pg::DbError: kUniqueViolation
// with constraint "users_email_key" when the email is taken, kCheckViolation
// ("users_role_check") for an unknown role.
User insert_user(common::pg::Connection& db, const std::string& email,
                 const std::string& hashed_password, const std::string& role);

[[nodiscard]] std::optional<User> find_user_by_email(common::pg::Connection& db,
                                                     const std::string& email);
[[nodiscard]] std::optional<User> find_user_by_id(common::pg::Connection& db, int64_t id);

// Sets the role and, when given, the password hash; a new role or a password
// bumps the token version. False when there is no such user.
[[nodiscard]] bool update_user(common::pg::Connection& db, int64_t id, const std::string& role,
                               const std::optional<std::string>& hashed_password);

// Sets the password hash and bumps the token version. False when there is no such user.
[[nodiscard]] bool set_password(common::pg::Connection& db, int64_t id,
                                const std::string& hashed_password);

// The account's token version, or nullopt when there is no such user.
[[nodiscard]] std::optional<int64_t> token_version(common::pg::Connection& db, int64_t id);

}  // namespace repo
