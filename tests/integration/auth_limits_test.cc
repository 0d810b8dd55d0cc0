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
  services::register_user(db, config, {email, "right-password"});
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
  // From any address, with any password: the account has had its tries.
  const LoginResult locked =
      try_login(db, config, "target@example.com", "right-password", "10.9.9.9");
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
  const auto outcomes = run_concurrently(kThreads, [&](int i) {
    services::login(*connections[i], config, {"busy@example.com", "guess-" + std::to_string(i)},
                    "10.5.0." + std::to_string(i));
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
