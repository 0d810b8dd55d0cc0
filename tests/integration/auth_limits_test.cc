// The login limits of API.md "Limits" (failed attempts per account and per
// client address, kept in PostgreSQL) against real PostgreSQL.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/accounts.h"
#include "tests/support/db.h"
#include "tests/support/parallel_calls.h"
#include "workers/services/auth_service.h"

namespace {

namespace pg = common::pg;
using common::AppError;
using common::ErrorCode;
using test_support::migrated_connection;
using test_support::outcome_of;
using test_support::run_concurrently;
using test_support::run_sql;
using test_support::thread_connections;
using test_support::truncate_all;

common::Config limits_config(int per_account, int per_address) {
  common::Config c = test_support::accounts_config();
  c.login_max_fails_per_account = per_account;
  c.login_account_window_s = 900;
  c.login_max_fails_per_address = per_address;
  c.login_address_window_s = 60;
  return c;
}

struct LoginResult {
  std::optional<ErrorCode> code;  // nullopt: logged in
  std::string retry_after;        // the Retry-After header of a 429
};

LoginResult try_login(pg::Connection& db, const common::Config& config, const std::string& email,
                      const std::string& password, const std::string& address) {
  try {
    services::login(db, config, {email, password}, address);
    return {};
  } catch (const AppError& e) {
    LoginResult r{e.code(), ""};
    for (const auto& [name, value] : e.headers()) {
      if (name == "Retry-After") r.retry_after = value;
    }
    return r;
  }
}

void make_account(pg::Connection& db, const common::Config& config, const std::string& email) {
  services::register_user(db, config, {email, "right-password"}, "10.0.0.9");
}

}  // namespace

TEST_CASE("an account is locked after its failures, even for the right password",
          "[integration][auth][limits]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = limits_config(3, 100);
  make_account(db, config, "target@example.com");
  make_account(db, config, "bystander@example.com");

  for (int i = 0; i < 3; ++i) {
    CHECK(try_login(db, config, "target@example.com", "guess", "10.1.0.1").code ==
          ErrorCode::kInvalidCredentials);
  }
  // From the failing address, even with the right password: it has had its tries.
  const LoginResult locked =
      try_login(db, config, "target@example.com", "right-password", "10.1.0.1");
  CHECK(locked.code == ErrorCode::kRateLimited);
  REQUIRE_FALSE(locked.retry_after.empty());
  const int retry = std::stoi(locked.retry_after);
  CHECK(retry >= 1);
  CHECK(retry <= 900);
  CHECK(retry > 800);  // the first failure was moments ago
  // Unknown emails are limited the same way (no hint that the account exists).
  for (int i = 0; i < 3; ++i) try_login(db, config, "ghost@example.com", "x", "10.1.0.2");
  CHECK(try_login(db, config, "ghost@example.com", "x", "10.1.0.2").code ==
        ErrorCode::kRateLimited);
  // Another account is not affected.
  CHECK_FALSE(try_login(db, config, "bystander@example.com", "right-password", "10.1.0.1").code);
  // A limited attempt records nothing: three failures each for two emails.
  CHECK(run_sql(db, "SELECT count(*) FROM login_attempts").int64(0, 0) == 6);
}

TEST_CASE("an account lockout holds back the failing address, not the owner's",
          "[integration][auth][limits]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = limits_config(3, 100);
  make_account(db, config, "owner@example.com");
  const std::string attacker = "203.0.113.7";
  const std::string owner = "198.51.100.20";

  for (int i = 0; i < 3; ++i) {
    CHECK(try_login(db, config, "owner@example.com", "guess", attacker).code ==
          ErrorCode::kInvalidCredentials);
  }
  // The attacker is refused, whatever the password.
  CHECK(try_login(db, config, "owner@example.com", "guess", attacker).code ==
        ErrorCode::kRateLimited);
  CHECK(try_login(db, config, "owner@example.com", "right-password", attacker).code ==
        ErrorCode::kRateLimited);
  // The owner, from an address that has not failed for the account, gets in.
  CHECK_FALSE(try_login(db, config, "owner@example.com", "right-password", owner).code);
  CHECK_FALSE(try_login(db, config, "owner@example.com", "right-password", owner).code);
  // An address that then fails for the locked account is refused from then on.
  CHECK(try_login(db, config, "owner@example.com", "typo", owner).code ==
        ErrorCode::kInvalidCredentials);
  CHECK(try_login(db, config, "owner@example.com", "right-password", owner).code ==
        ErrorCode::kRateLimited);
}

TEST_CASE("successful logins are not counted", "[integration][auth][limits]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = limits_config(2, 2);
  make_account(db, config, "regular@example.com");
  for (int i = 0; i < 5; ++i) {
    CHECK_FALSE(try_login(db, config, "regular@example.com", "right-password", "10.2.0.1").code);
  }
  CHECK(run_sql(db, "SELECT count(*) FROM login_attempts").int64(0, 0) == 0);
  CHECK(try_login(db, config, "regular@example.com", "wrong", "10.2.0.1").code ==
        ErrorCode::kInvalidCredentials);
  CHECK_FALSE(try_login(db, config, "regular@example.com", "right-password", "10.2.0.1").code);
}

TEST_CASE("a client address is limited across accounts", "[integration][auth][limits]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = limits_config(100, 4);
  make_account(db, config, "mine@example.com");
  for (int i = 0; i < 4; ++i) {
    CHECK(try_login(db, config, "user" + std::to_string(i) + "@example.com", "spray", "10.3.0.1")
              .code == ErrorCode::kInvalidCredentials);
  }
  const LoginResult limited =
      try_login(db, config, "mine@example.com", "right-password", "10.3.0.1");
  CHECK(limited.code == ErrorCode::kRateLimited);
  CHECK(std::stoi(limited.retry_after) >= 1);
  CHECK(std::stoi(limited.retry_after) <= 60);
  // The same account from another address is fine.
  CHECK_FALSE(try_login(db, config, "mine@example.com", "right-password", "10.3.0.2").code);
}

TEST_CASE("failures leave the window and the limit lifts", "[integration][auth][limits]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = limits_config(2, 100);
  make_account(db, config, "patient@example.com");
  try_login(db, config, "patient@example.com", "no", "10.4.0.1");
  try_login(db, config, "patient@example.com", "no", "10.4.0.1");
  CHECK(try_login(db, config, "patient@example.com", "right-password", "10.4.0.1").code ==
        ErrorCode::kRateLimited);

  // 850 s later, the older failure leaves the 900 s window in about 50 s.
  run_sql(db, "UPDATE login_attempts SET attempted_at = attempted_at - interval '850 seconds'");
  const LoginResult waiting =
      try_login(db, config, "patient@example.com", "right-password", "10.4.0.1");
  CHECK(waiting.code == ErrorCode::kRateLimited);
  CHECK(std::stoi(waiting.retry_after) >= 49);
  CHECK(std::stoi(waiting.retry_after) <= 51);

  run_sql(db, "UPDATE login_attempts SET attempted_at = attempted_at - interval '60 seconds'");
  CHECK_FALSE(try_login(db, config, "patient@example.com", "right-password", "10.4.0.1").code);
  // The next login deletes attempts older than the longest window.
  try_login(db, config, "patient@example.com", "right-password", "10.4.0.1");
  CHECK(run_sql(db, "SELECT count(*) FROM login_attempts").int64(0, 0) == 0);
}

TEST_CASE("concurrent guesses cannot slip past the limit", "[integration][auth][limits]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = limits_config(3, 100);
  make_account(db, config, "busy@example.com");
  constexpr int kThreads = 8;
  auto connections = thread_connections(kThreads);
  // One address: the account limit holds back an address that has failed for it.
  const auto outcomes = run_concurrently(kThreads, [&](int i) {
    services::login(*connections[i], config, {"busy@example.com", "guess-" + std::to_string(i)},
                    "10.5.0.1");
  });
  int wrong = 0;
  int limited = 0;
  for (const auto& o : outcomes) {
    INFO(o.error);
    if (o.code == ErrorCode::kInvalidCredentials) ++wrong;
    if (o.code == ErrorCode::kRateLimited) ++limited;
  }
  CHECK(wrong == 3);
  CHECK(limited == kThreads - 3);
}

TEST_CASE("registrations are limited per client address, before any hashing",
          "[integration][auth][limits][register]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  common::Config config = test_support::accounts_config();
  config.register_max_per_address = 3;
  config.register_window_s = 3600;
  // A bcrypt cost no hash could be made with: a refused registration must not get there.
  auto registration = [&](const std::string& email, const std::string& address) {
    try {
      services::register_user(db, config, {email, "right-password"}, address);
      return LoginResult{};
    } catch (const AppError& e) {
      LoginResult r{e.code(), ""};
      for (const auto& [name, value] : e.headers()) {
        if (name == "Retry-After") r.retry_after = value;
      }
      return r;
    }
  };
  for (int i = 0; i < 3; ++i) {
    CHECK_FALSE(registration("new" + std::to_string(i) + "@example.com", "127.0.0.1").code);
  }
  // A taken email was hashed too: it counts like the others.
  CHECK(registration("new0@example.com", "10.6.0.1").code == ErrorCode::kEmailTaken);

  config.bcrypt_cost = 99;  // hashing would throw: a refusal must come first
  const LoginResult refused = registration("fourth@example.com", "127.0.0.1");
  CHECK(refused.code == ErrorCode::kRateLimited);
  REQUIRE_FALSE(refused.retry_after.empty());
  CHECK(std::stoi(refused.retry_after) > 3500);
  CHECK(std::stoi(refused.retry_after) <= 3600);
  CHECK(run_sql(db, "SELECT count(*) FROM users WHERE email = 'fourth@example.com'").int64(0, 0) ==
        0);
  config.bcrypt_cost = 4;
  // Another address is not affected; the window passing lifts the limit.
  CHECK_FALSE(registration("other@example.com", "10.6.0.2").code);
  run_sql(db,
          "UPDATE registration_attempts SET attempted_at = attempted_at - interval '3601 seconds'");
  CHECK_FALSE(registration("fourth@example.com", "127.0.0.1").code);
}
