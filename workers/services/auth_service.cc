#include "workers/services/auth_service.h"

#include <algorithm>

#include "common/error.h"
#include "common/json.h"
#include "common/log.h"
#include "common/password.h"
#include "common/random.h"
#include "common/sha256.h"
#include "workers/repositories/login_attempt_repository.h"
#include "workers/repositories/registration_attempt_repository.h"
#include "workers/repositories/token_repository.h"
#include "workers/repositories/user_repository.h"
#include "workers/services/access_token.h"
#include "workers/services/password_hashing.h"

namespace services {

namespace pg = common::pg;
using common::AppError;
using common::ErrorCode;

namespace {

constexpr size_t kMaxEmailBytes = 254;
constexpr size_t kMaxLocalPartBytes = 64;
constexpr size_t kMaxLabelBytes = 63;
constexpr size_t kMaxLoginPasswordBytes = 1024;
constexpr size_t kMaxRefreshTokenChars = 512;
constexpr size_t kRefreshTokenBytes = 32;  // 256 bits
// Rows each login deletes at most from login_attempts and refresh_tokens.
constexpr int kCleanupBatch = 100;

AppError unauthorized(const std::string& message) {
  AppError error(ErrorCode::kUnauthorized, message);
  error.with_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
  return error;
}

bool local_part_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u >= 0x7f) return false;
  return std::string_view("()<>[]:;,\\\"@").find(c) == std::string_view::npos;
}

bool domain_label_ok(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabelBytes) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// The "email" field normalised, or "" after recording why it is missing or bad.
std::string required_email(const Json::Value& body, common::FieldErrors& errors) {
  const auto email = common::json::get_string(body, "email", 1, kMaxEmailBytes, errors);
  if (!email) {
    errors.add("email", "is required");
    return "";
  }
  return normalise_email(*email);
}

Json::Value token_pair(const common::Config& config, int64_t user_id, const std::string& role,
                       int64_t token_version, const std::string& refresh_token) {
  Json::Value out(Json::objectValue);
  out["access_token"] = issue_access_token(config, user_id, role, token_version, unix_now());
  out["refresh_token"] = refresh_token;
  out["token_type"] = "Bearer";
  out["expires_in"] = config.access_token_ttl_s;
  return out;
}

Json::Value account_json(const repo::User& user, bool with_role) {
  Json::Value out(Json::objectValue);
  out["user_id"] = static_cast<Json::Int64>(user.id);
  out["email"] = user.email;
  if (with_role) out["role"] = user.role;
  out["created_at"] = user.created_at;
  return out;
}

// Stale login attempts and dead refresh tokens, a bounded batch at a time.
// A failure here must not fail the login that triggered it.
void clean_up(pg::Connection& db, const common::Config& config) {
  try {
    const int window = std::max(config.login_account_window_s, config.login_address_window_s);
    (void)repo::delete_old_login_attempts(db, window, kCleanupBatch);
    (void)repo::delete_dead_refresh_tokens(db, kCleanupBatch);
  } catch (const pg::DbError& e) {
    if (e.kind() == pg::DbErrorKind::kConnection) throw;
    common::log::warn("auth clean-up failed", {{"sqlstate", e.sqlstate()}, {"detail", e.what()}});
  }
}

void clean_up_registrations(pg::Connection& db, const common::Config& config) {
  try {
    (void)repo::delete_old_registrations(db, config.register_window_s, kCleanupBatch);
  } catch (const pg::DbError& e) {
    if (e.kind() == pg::DbErrorKind::kConnection) throw;
    common::log::warn("registration clean-up failed",
                      {{"sqlstate", e.sqlstate()}, {"detail", e.what()}});
  }
}

}  // namespace

std::string normalise_email(std::string_view email) {
  std::string out(email);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<std::string> email_problem(std::string_view email) {
  const std::string shape = "must be an email address like name@example.com";
  if (email.empty() || email.size() > kMaxEmailBytes) {
    return "must be an email address of at most 254 characters";
  }
  const size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return shape;
  }
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  if (local.empty() || local.size() > kMaxLocalPartBytes ||
      !std::all_of(local.begin(), local.end(), local_part_char)) {
    return shape;
  }
  if (domain.find('.') == std::string_view::npos) return shape;
  size_t start = 0;
  for (;;) {
    const size_t dot = domain.find('.', start);
    if (!domain_label_ok(domain.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return shape;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return std::nullopt;
}

std::optional<std::string> password_problem(std::string_view password) {
  if (password.size() < common::kMinPasswordBytes || password.size() > common::kMaxPasswordBytes) {
    return "must be 8 to 72 bytes";
  }
  if (password.find('\0') != std::string_view::npos) return "must not contain NUL characters";
  return std::nullopt;
}

Credentials parse_registration(const Json::Value& body) {
  common::FieldErrors errors;
  Credentials out;
  out.email = required_email(body, errors);
  if (auto problem = email_problem(out.email); problem && !out.email.empty()) {
    errors.add("email", *problem);
  }
  const Json::Value& password = body["password"];
  if (password.isNull()) {
    errors.add("password", "is required");
  } else if (!password.isString()) {
    errors.add("password", "must be a string of 8 to 72 bytes");
  } else {
    out.password = password.asString();
    if (auto problem = password_problem(out.password)) errors.add("password", *problem);
  }
  errors.throw_if_any();
  return out;
}

Credentials parse_login(const Json::Value& body) {
  common::FieldErrors errors;
  Credentials out;
  out.email = required_email(body, errors);
  const Json::Value& password = body["password"];
  if (password.isNull()) {
    errors.add("password", "is required");
  } else if (!password.isString() || password.asString().empty() ||
             password.asString().size() > kMaxLoginPasswordBytes) {
    errors.add("password", "must be a string of 1 to 1024 bytes");
  } else {
    out.password = password.asString();
  }
  errors.throw_if_any();
  return out;
}

std::string parse_refresh_token(const Json::Value& body) {
  common::FieldErrors errors;
  const auto token =
      common::json::get_string(body, "refresh_token", 1, kMaxRefreshTokenChars, errors);
  if (!token) errors.add("refresh_token", "is required");
  errors.throw_if_any();
  return *token;
}

std::string refresh_token_hash(std::string_view refresh_token) {
  return common::sha256_hex(refresh_token);
}

Json::Value register_user(pg::Connection& db, const common::Config& config,
                          const Credentials& credentials, const std::string& client_addr) {
  clean_up_registrations(db, config);
  const auto slot = hashing_slot();
  // Counted before hashing: a refused registration costs no bcrypt.
  const repo::RegistrationGate gate = repo::begin_registration(
      db, client_addr, config.register_max_per_address, config.register_window_s);
  if (!gate.admitted) {
    AppError error(ErrorCode::kRateLimited, "too many registrations; try again later");
    error.with_header("Retry-After", std::to_string(gate.retry_after_s));
    throw error;
  }
  // Hashed before the statement: a transaction never waits on bcrypt.
  const std::string hashed = common::hash_password(credentials.password, config.bcrypt_cost);
  try {
    return account_json(repo::insert_user(db, credentials.email, hashed, "user"), false);
  } catch (const pg::DbError& e) {
    if (e.kind() == pg::DbErrorKind::kUniqueViolation && e.constraint() == "users_email_key") {
      Json::Value details(Json::objectValue);
      details["email"] = "is already registered";
      throw AppError(ErrorCode::kEmailTaken, "email is already registered", details);
    }
    throw;
  }
}

Json::Value login(pg::Connection& db, const common::Config& config, const Credentials& credentials,
                  const std::string& client_addr) {
  clean_up(db, config);
  const repo::LoginGate gate = repo::begin_login_attempt(
      db, credentials.email, client_addr,
      {config.login_max_fails_per_account, config.login_account_window_s,
       config.login_max_fails_per_address, config.login_address_window_s});
  if (!gate.attempt_id) {
    AppError error(ErrorCode::kRateLimited, "too many failed logins; try again later");
    error.with_header("Retry-After", std::to_string(gate.retry_after_s));
    throw error;
  }

  std::optional<common::bcrypt_gate::Permit> slot;
  try {
    slot.emplace(hashing_slot());
  } catch (const AppError&) {
    repo::forget_login_attempt(db, *gate.attempt_id);  // not checked: not a failure
    throw;
  }
  const auto user = repo::find_user_by_email(db, credentials.email);
  const bool has_hash = user && user->hashed_password;
  const bool matches = common::verify_password(
      credentials.password, has_hash ? *user->hashed_password : dummy_hash(config.bcrypt_cost));
  slot.reset();
  if (!has_hash || !matches) {
    throw AppError(ErrorCode::kInvalidCredentials, "email or password is wrong");
  }
  repo::forget_login_attempt(db, *gate.attempt_id);

  const std::string refresh_token = common::random_token(kRefreshTokenBytes);
  (void)repo::insert_refresh_token(db, user->id, refresh_token_hash(refresh_token), std::nullopt,
                                   config.refresh_token_ttl_s);
  return token_pair(config, user->id, user->role, user->token_version, refresh_token);
}

Json::Value refresh(pg::Connection& db, const common::Config& config,
                    const std::string& refresh_token) {
  enum class Outcome { kIssued, kUnknown, kRevoked, kExpired, kReused };
  struct Rotation {
    Outcome outcome;
    int64_t user_id = 0;
    std::string role;
    std::string token;
    int64_t token_version = 0;
  };
  const std::string hash = refresh_token_hash(refresh_token);
  // Returns rather than throws on refusal, so that a revocation commits.
  const Rotation r = pg::transaction(db, [&](pg::Connection& c) -> Rotation {
    // The family first: a concurrent revocation of it has then either
    // committed (and the row below says so) or waits for this rotation.
    if (!repo::lock_refresh_family_of(c, hash)) return {Outcome::kUnknown, 0, {}, {}};
    const auto row = repo::lock_refresh_token(c, hash);
    if (!row) return {Outcome::kUnknown, 0, {}, {}};
    if (row->revoked) return {Outcome::kRevoked, row->user_id, {}, {}};
    if (row->used) {
      (void)repo::revoke_refresh_family(c, row->family_id);
      return {Outcome::kReused, row->user_id, {}, {}};
    }
    if (row->expired) return {Outcome::kExpired, row->user_id, {}, {}};
    repo::mark_refresh_token_used(c, row->id);
    std::string next = common::random_token(kRefreshTokenBytes);
    (void)repo::insert_refresh_token(c, row->user_id, refresh_token_hash(next), row->family_id,
                                     config.refresh_token_ttl_s);
    return {Outcome::kIssued, row->user_id, row->role, std::move(next), row->token_version};
  });
  switch (r.outcome) {
    case Outcome::kIssued:
      return token_pair(config, r.user_id, r.role, r.token_version, r.token);
    case Outcome::kReused:
      common::log::warn("refresh token reused: family revoked", {{"user_id", r.user_id}});
      throw unauthorized("refresh token was already used; every token of that login is revoked");
    case Outcome::kRevoked:
      throw unauthorized("refresh token is revoked");
    case Outcome::kExpired:
      throw unauthorized("refresh token has expired");
    case Outcome::kUnknown:
      break;
  }
  throw unauthorized("refresh token is not valid");
}

void logout(pg::Connection& db, const std::string& refresh_token) {
  (void)repo::revoke_refresh_family_of(db, refresh_token_hash(refresh_token));
}

Json::Value me(pg::Connection& db, int64_t user_id) {
  const auto user = repo::find_user_by_id(db, user_id);
  if (!user) throw unauthorized("the account of this token no longer exists");
  return account_json(*user, true);
}

}  // namespace services
