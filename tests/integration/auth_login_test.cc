// Registration, login and /auth/me (services/auth_service.h) against real
// PostgreSQL.
#include <catch2/catch.hpp>
#include <string>

#include "common/json.h"
#include "common/jwt.h"
#include "common/password.h"
#include "tests/support/accounts.h"
#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "tests/support/parallel_calls.h"
#include "workers/services/access_token.h"
#include "workers/services/auth_service.h"

namespace {

namespace pg = common::pg;
using common::ErrorCode;
using test_support::migrated_connection;
using test_support::outcome_of;
using test_support::run_sql;
using test_support::truncate_all;

services::Credentials creds(const std::string& email, const std::string& password) {
  return {email, password};
}

}  // namespace

TEST_CASE("register stores a bcrypt hash and the user role, never the password",
          "[integration][auth]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  const Json::Value created =
      services::register_user(db, config, creds("new@example.com", "s3cret-password"), "10.0.0.9");
  CHECK(created["user_id"].asInt64() > 0);
  CHECK(created["email"] == "new@example.com");
  CHECK(created["created_at"].asString().ends_with("+00:00"));
  CHECK_FALSE(created.isMember("role"));
  CHECK_FALSE(created.isMember("hashed_password"));

  const pg::Result row = run_sql(db, "SELECT hashed_password, role FROM users");
  REQUIRE(row.rows() == 1);
  CHECK(row.str(0, 0).rfind("$2b$04$", 0) == 0);
  CHECK(row.str(0, 0).find("s3cret-password") == std::string::npos);
  CHECK(common::verify_password("s3cret-password", row.str(0, 0)));
  CHECK(row.str(0, 1) == "user");
}

TEST_CASE("an email is taken whatever its case", "[integration][auth]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  // parse_registration normalises; the service trusts what it gets.
  const auto first = services::parse_registration(
      common::json::parse_object(R"({"email": "Dup@Example.com", "password": "password-1"})"));
  services::register_user(db, config, first, "10.0.0.9");
  const auto again = services::parse_registration(
      common::json::parse_object(R"({"email": "dup@EXAMPLE.com", "password": "password-2"})"));
  const auto outcome = outcome_of([&] { services::register_user(db, config, again, "10.0.0.9"); });
  CHECK(outcome.code == ErrorCode::kEmailTaken);
  CHECK(outcome.details.isMember("email"));
  CHECK(run_sql(db, "SELECT count(*) FROM users").int64(0, 0) == 1);
}

TEST_CASE("login answers a token pair whose access token names the account",
          "[integration][auth]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  const int64_t id =
      services::register_user(db, config, creds("shopper@example.com", "password-123"),
                              "10.0.0.9")["user_id"]
          .asInt64();
  const Json::Value pair =
      services::login(db, config, creds("shopper@example.com", "password-123"), "10.0.0.1");
  CHECK(pair["token_type"] == "Bearer");
  CHECK(pair["expires_in"] == 900);
  CHECK(pair["refresh_token"].asString().size() == 43);

  const auto v =
      common::jwt::verify(pair["access_token"].asString(), config.jwt_secret, services::unix_now());
  REQUIRE(v.ok());
  CHECK(v.claims.sub == id);
  CHECK(v.claims.role == "user");
  CHECK(v.claims.exp - v.claims.iat == 900);

  // Only the hash of the refresh token is stored, in a new family.
  const pg::Result t =
      run_sql(db, "SELECT token_hash, user_id, used_at IS NULL FROM refresh_tokens");
  REQUIRE(t.rows() == 1);
  CHECK(t.str(0, 0) == services::refresh_token_hash(pair["refresh_token"].asString()));
  CHECK(t.int64(0, 1) == id);
  CHECK(t.boolean(0, 2));

  const Json::Value me = services::me(db, id);
  CHECK(me["user_id"] == static_cast<Json::Int64>(id));
  CHECK(me["email"] == "shopper@example.com");
  CHECK(me["role"] == "user");
  CHECK(me["created_at"].isString());
}

TEST_CASE("wrong password, unknown email and a password-less account fail alike",
          "[integration][auth]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  services::register_user(db, config, creds("known@example.com", "right-password"), "10.0.0.9");
  test_support::make_user(db, {.email = "legacy@example.com"});  // NULL hash, like the seed's

  std::string message;
  for (const auto& c :
       {creds("known@example.com", "wrong-password"), creds("nobody@example.com", "right-password"),
        creds("legacy@example.com", "anything-at-all"),
        creds("known@example.com", std::string(100, 'x')),
        creds("known@example.com", std::string("right-password\0x", 16))}) {
    INFO(c.email);
    const auto outcome = outcome_of([&] { services::login(db, config, c, "10.0.0.2"); });
    CHECK(outcome.code == ErrorCode::kInvalidCredentials);
    if (message.empty()) message = outcome.error;
    CHECK(outcome.error == message);  // the same answer whatever went wrong
  }
  CHECK(run_sql(db, "SELECT count(*) FROM refresh_tokens").int64(0, 0) == 0);
  // The case of the email does not matter at login either.
  CHECK(outcome_of([&] {
          services::login(db, config,
                          services::parse_login(common::json::parse_object(
                              R"({"email": "KNOWN@example.com", "password": "right-password"})")),
                          "10.0.0.2");
        }).ok);
}

TEST_CASE("an account that no longer exists cannot use /auth/me", "[integration][auth]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t id = test_support::make_user(db);
  run_sql(db, "DELETE FROM users WHERE id = " + std::to_string(id));
  CHECK(outcome_of([&] { services::me(db, id); }).code == ErrorCode::kUnauthorized);
}
