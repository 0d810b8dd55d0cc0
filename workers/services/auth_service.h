// Accounts and tokens (API.md "Identity" and "Limits"): registration, login
// with the login limits, refresh-token rotation with reuse detection, logout,
// and the account behind an access token. No HTTP here: handlers parse the
// body with the parse_* functions and render what these return.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/pg.h"

namespace services {

struct Credentials {
  std::string email;  // normalised by the parse_* functions
  std::string password;
};

// ASCII letters to lower case; everything else unchanged.
std::string normalise_email(std::string_view email);
// Why `email` (normalised) is not an address we accept, or nullopt: at most
// 254 bytes, one '@', a local part of 1..64 printable ASCII characters other
// than whitespace and ()<>[]:;,\", and a domain of dot-separated labels
// ([a-z0-9-], 1..63, no '-' at either end) with at least one dot.
std::optional<std::string> email_problem(std::string_view email);
// Why `password` is not acceptable for a new account, or nullopt: 8..72 bytes, no NUL.
std::optional<std::string> password_problem(std::string_view password);

// Body of POST /auth/register: email (shape as above) and password (8..72
// bytes). Throws AppError(kValidationError) naming every bad field.
Credentials parse_registration(const Json::Value& body);
// Body of POST /auth/login: email (string, at most 254 characters) and
// password (string, at most 1024 bytes), both required. The shape of the
// email and the length of the password are not checked: such a login fails
// like any other. Throws AppError(kValidationError).
Credentials parse_login(const Json::Value& body);
// Body of POST /auth/refresh and /auth/logout: refresh_token, a string of 1..512
// characters. Throws AppError(kValidationError).
std::string parse_refresh_token(const Json::Value& body);

// Creates a "user" account: {user_id, email, created_at}. First counts the
// registration against `client_addr`'s limit (REGISTER_MAX_PER_ADDRESS per
// REGISTER_WINDOW_S, loopback like any other address) and throws
// AppError(kRateLimited) with Retry-After when it is reached, before any
// hashing. Throws AppError(kEmailTaken) when the email has an account (such a
// registration counts too: it was hashed), and AppError(kUnavailable) with
// Retry-After when no pool-wide hashing slot frees in time
// (services/password_hashing.h; then nothing is counted). Also deletes a
// bounded number of registrations older than the window.
Json::Value register_user(common::pg::Connection& db, const common::Config& config,
                          const Credentials& credentials, const std::string& client_addr);

// Checks the credentials against the login limits and the stored hash, and
// starts a new refresh-token family: {access_token, refresh_token,
// token_type: "Bearer", expires_in}. Throws AppError(kRateLimited) with
// Retry-After when the account or `client_addr` has too many failed attempts
// in its window, AppError(kInvalidCredentials) for an unknown email, an
// account without a password and a wrong password alike (each after one
// bcrypt verification), and AppError(kUnavailable) with Retry-After when no
// pool-wide hashing slot frees in time (the attempt is then not counted). The
// account limit refuses only a `client_addr` that has itself failed for the
// account (repositories/login_attempt_repository.h). Also deletes a bounded
// number of stale attempts and dead refresh tokens.
Json::Value login(common::pg::Connection& db, const common::Config& config,
                  const Credentials& credentials, const std::string& client_addr);

// Rotates a refresh token in one transaction holding the family's lock
// (repositories/token_repository.h): the presented token is marked
// used and a new one issued in its family, with an access token carrying the
// account's current role; answers like login(). Throws
// AppError(kUnauthorized) for an unknown, expired or revoked token, and for a
// token that was already used, in which case the whole family is revoked
// (committed) first.
Json::Value refresh(common::pg::Connection& db, const common::Config& config,
                    const std::string& refresh_token);

// Revokes the family of the token under the family's lock, so that no
// rotation racing it leaves a token alive. Unknown and already revoked tokens
// are not an error (logging out twice is harmless).
void logout(common::pg::Connection& db, const std::string& refresh_token);

// {user_id, email, role, created_at}. Throws AppError(kUnauthorized) when the
// account no longer exists.
Json::Value me(common::pg::Connection& db, int64_t user_id);

// The stored form of a refresh token: SHA-256, lower-case hex.
std::string refresh_token_hash(std::string_view refresh_token);

}  // namespace services
