// Accounts made outside HTTP: `user create` (cli::user and
// services::upsert_account) and the seed's admin account and stock ledger.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <iostream>
#include <sstream>
#include <string>

#include "common/password.h"
#include "common/secrets.h"
#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "tests/support/invariants.h"
#include "tests/support/parallel_calls.h"
#include "tests/support/temp_dir.h"
#include "workers/cli/commands.h"
#include "workers/services/account_changes.h"
#include "workers/services/auth_service.h"

namespace {

namespace pg = common::pg;
using common::ErrorCode;
using test_support::migrated_connection;
using test_support::outcome_of;
using test_support::run_sql;
using test_support::test_config;
using test_support::truncate_all;

struct Account {
  std::string role;
  std::string hash;
};

std::optional<Account> account(pg::Connection& db, const std::string& email) {
  const pg::Result r = run_sql(
      db, "SELECT role, coalesce(hashed_password, '') FROM users WHERE email = '" + email + "'");
  if (r.rows() == 0) return std::nullopt;
  return Account{r.str(0, 0), r.str(0, 1)};
}

// Runs `user create ...` with `stdin_text` as standard input.
int run_user_cli(const common::Config& config, const std::vector<std::string>& args,
                 const std::string& stdin_text) {
  std::istringstream input(stdin_text);
  std::streambuf* saved = std::cin.rdbuf(input.rdbuf());
  const int rc = cli::user(config, args);
  std::cin.rdbuf(saved);
  std::cin.clear();
  return rc;
}

}  // namespace

TEST_CASE("user create makes an account with the role and the password from stdin",
          "[integration][cli][auth]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_config();
  CHECK(run_user_cli(config, {"create", "--email", "Boss@Example.com", "--role", "admin"},
                     "boss-password\n") == 0);
  const auto boss = account(db, "boss@example.com");
  REQUIRE(boss);
  CHECK(boss->role == "admin");
  CHECK(common::verify_password("boss-password", boss->hash));

  // Again without a password: the role changes, the password stays.
  CHECK(run_user_cli(config, {"create", "--email=boss@example.com", "--role=user"}, "") == 0);
  CHECK(account(db, "boss@example.com")->role == "user");
  CHECK(account(db, "boss@example.com")->hash == boss->hash);
  // With one (CRLF line end too): replaced.
  CHECK(run_user_cli(config, {"create", "--email", "boss@example.com", "--role", "admin"},
                     "new-password\r\n") == 0);
  CHECK(common::verify_password("new-password", account(db, "boss@example.com")->hash));
  CHECK(account(db, "boss@example.com")->role == "admin");
}

TEST_CASE("user create refuses bad arguments and bad values", "[integration][cli][auth]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_config();
  CHECK(run_user_cli(config, {}, "") == 2);
  CHECK(run_user_cli(config, {"delete", "--email", "a@b.co"}, "") == 2);
  CHECK(run_user_cli(config, {"create"}, "password-1") == 2);
  CHECK(run_user_cli(config, {"create", "--email"}, "password-1") == 2);
  CHECK(run_user_cli(config, {"create", "--email", "a@b.co", "--colour", "red"}, "x") == 2);
  CHECK(run_user_cli(config, {"create", "--email", "a@b.co", "--role", "root"}, "password-1") == 1);
  CHECK(run_user_cli(config, {"create", "--email", "not-an-email"}, "password-1") == 1);
  CHECK(run_user_cli(config, {"create", "--email", "a@b.co"}, "short") == 1);
  CHECK(run_user_cli(config, {"create", "--email", "a@b.co"}, "") == 1);  // new needs a password
  CHECK(run_sql(db, "SELECT count(*) FROM users").int64(0, 0) == 0);
}

TEST_CASE("upsert_account reports what it did", "[integration][cli][auth]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const auto created = services::upsert_account(db, 4, "ops@example.com", "ops-password", "user");
  CHECK(created.created);
  const auto promoted = services::upsert_account(db, 4, "OPS@example.com", std::nullopt, "admin");
  CHECK_FALSE(promoted.created);
  CHECK(promoted.user_id == created.user_id);
  CHECK(promoted.role_changed);
  CHECK_FALSE(promoted.password_changed);
  const auto same = services::upsert_account(db, 4, "ops@example.com", std::nullopt, "admin");
  CHECK_FALSE(same.role_changed);
  CHECK(outcome_of([&] {
          services::upsert_account(db, 4, "ops@example.com", std::nullopt, "owner");
        }).code == ErrorCode::kValidationError);
}

TEST_CASE("seed makes the admin account once and leaves it alone after",
          "[integration][seed][auth]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  common::Config config = test_config();
  config.admin_email = "Root@Example.com";
  config.admin_password = "first-admin-password";
  REQUIRE(cli::seed(config, {}) == 0);
  const auto admin = account(db, "root@example.com");
  REQUIRE(admin);
  CHECK(admin->role == "admin");
  CHECK(common::verify_password("first-admin-password", admin->hash));

  config.admin_password = "second-admin-password";
  REQUIRE(cli::seed(config, {}) == 0);
  CHECK(account(db, "root@example.com")->hash == admin->hash);
  CHECK(run_sql(db, "SELECT count(*) FROM users WHERE role = 'admin'").int64(0, 0) == 1);
}

TEST_CASE("seed does not promote an existing account that has the admin email",
          "[integration][seed][auth]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  common::Config config = test_config();
  config.admin_email = "early@example.com";
  services::upsert_account(db, 4, "early@example.com", "squatter-password", "user");
  REQUIRE(cli::seed(config, {}) == 0);
  CHECK(account(db, "early@example.com")->role == "user");
}

TEST_CASE("seed without ADMIN_PASSWORD generates one into STATE_DIR, 0600, once",
          "[integration][seed][auth]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  test_support::TempDir dir("seed-admin");
  common::Config config = test_config();
  config.state_dir = dir.path().string();
  config.admin_password.clear();
  REQUIRE(cli::seed(config, {}) == 0);
  const std::string path = config.state_dir + "/admin-password";
  const auto password = common::read_secret_file(path);
  REQUIRE(password);
  CHECK(password->size() >= 16);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(common::verify_password(*password, account(db, "admin@example.com")->hash));

  REQUIRE(cli::seed(config, {}) == 0);
  CHECK(common::read_secret_file(path) == password);
  CHECK(common::verify_password(*password, account(db, "admin@example.com")->hash));
}

TEST_CASE("seed writes the stock ledger once: initial stock and the order's reservations",
          "[integration][seed]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  REQUIRE(cli::seed(test_config(), {}) == 0);
  REQUIRE(cli::seed(test_config(), {}) == 0);
  CHECK(
      run_sql(db, "SELECT count(*) FROM inventory_movements WHERE kind = 'initial'").int64(0, 0) ==
      9);
  const pg::Result reserve = run_sql(db, R"SQL(
SELECT v.sku, m.available_delta, m.reserved_delta, m.order_id IS NOT NULL
FROM inventory_movements m JOIN product_variants v ON v.id = m.variant_id
WHERE m.kind = 'reserve' ORDER BY v.sku)SQL");
  REQUIRE(reserve.rows() == 2);
  CHECK(reserve.str(0, 0) == "BOOK-PYFLASK-001-PBK");
  CHECK(reserve.int64(0, 1) == -2);
  CHECK(reserve.int64(0, 2) == 2);
  CHECK(reserve.boolean(0, 3));
  CHECK(reserve.str(1, 0) == "ELEC-LAPTOP-001-SLV");
  CHECK(reserve.int64(1, 1) == -1);
  // Every variant's movements add up to its inventory row.
  CHECK(run_sql(db, R"SQL(
SELECT count(*) FROM inventory i
JOIN (SELECT variant_id, sum(available_delta) AS a, sum(reserved_delta) AS r
      FROM inventory_movements GROUP BY variant_id) m ON m.variant_id = i.variant_id
WHERE m.a = i.available AND m.r = i.reserved)SQL")
            .int64(0, 0) == 9);
  test_support::require_stock_invariants(db);
}
