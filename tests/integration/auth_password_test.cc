// Account changes end sessions (API.md "Identity"): a password change and a
// role change revoke the account's refresh tokens and, through the token
// version, its access tokens; against real PostgreSQL.
#include <catch2/catch.hpp>
#include <string>

#include "common/jwt.h"
#include "common/password.h"
#include "tests/support/accounts.h"
#include "tests/support/db.h"
#include "tests/support/parallel_calls.h"
#include "workers/services/access_token.h"
#include "workers/services/account_changes.h"
#include "workers/services/auth_service.h"
#include "workers/services/token_versions.h"

namespace {

namespace pg = common::pg;
using common::ErrorCode;
using test_support::migrated_connection;
using test_support::outcome_of;
using test_support::run_sql;
using test_support::truncate_all;

constexpr const char* kPassword = "password-123";

Json::Value log_in(pg::Connection& db, const common::Config& config, const std::string& email,
                   const std::string& password = kPassword) {
  return services::login(db, config, {email, password}, "10.0.0.9");
}

int64_t user_id(pg::Connection& db, const std::string& email) {
  return run_sql(db, "SELECT id FROM users WHERE email = '" + email + "'").int64(0, 0);
}

bool refresh_works(pg::Connection& db, const common::Config& config, const Json::Value& pair) {
  return outcome_of([&] { services::refresh(db, config, pair["refresh_token"].asString()); }).ok;
}

// Whether the central access check would take this access token now (lag 0:
// the account's version is read every time).
bool access_works(pg::Connection& db, const common::Config& config, const Json::Value& pair) {
  return outcome_of([&] {
           const int64_t now = services::unix_now();
           const auto access =
               services::verify_access_token(pair["access_token"].asString(), config, now);
           services::TokenVersions versions;
           versions.check(db, access.principal.user_id, access.version, 0, now);
         })
      .ok;
}

}  // namespace

TEST_CASE("a password change ends every session of the account and no other",
          "[integration][auth][password]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  services::register_user(db, config, {"mover@example.com", kPassword}, "10.0.0.9");
  services::register_user(db, config, {"bystander@example.com", kPassword}, "10.0.0.9");
  const Json::Value phone = log_in(db, config, "mover@example.com");
  const Json::Value laptop = log_in(db, config, "mover@example.com");
  const Json::Value rotated = services::refresh(db, config, laptop["refresh_token"].asString());
  const Json::Value other = log_in(db, config, "bystander@example.com");
  REQUIRE(access_works(db, config, phone));

  services::change_password(db, config, user_id(db, "mover@example.com"),
                            {kPassword, "new-password-456"});
  CHECK_FALSE(refresh_works(db, config, phone));
  CHECK_FALSE(refresh_works(db, config, rotated));
  CHECK(run_sql(db,
                "SELECT count(*) FROM refresh_tokens t JOIN users u ON u.id = t.user_id "
                "WHERE u.email = 'mover@example.com' AND t.revoked_at IS NULL")
            .int64(0, 0) == 0);
  CHECK_FALSE(access_works(db, config, phone));
  CHECK_FALSE(access_works(db, config, rotated));
  // The bystander keeps its session.
  CHECK(access_works(db, config, other));
  CHECK(refresh_works(db, config, other));
  // The old password no longer logs in, the new one does, and its tokens work.
  CHECK(outcome_of([&] { log_in(db, config, "mover@example.com"); }).code ==
        ErrorCode::kInvalidCredentials);
  const Json::Value fresh = log_in(db, config, "mover@example.com", "new-password-456");
  CHECK(access_works(db, config, fresh));
  CHECK(refresh_works(db, config, fresh));
}

TEST_CASE("a wrong current password or a bad new one changes nothing",
          "[integration][auth][password]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  services::register_user(db, config, {"careful@example.com", kPassword}, "10.0.0.9");
  const Json::Value pair = log_in(db, config, "careful@example.com");
  const int64_t id = user_id(db, "careful@example.com");

  CHECK(outcome_of([&] {
          services::change_password(db, config, id, {"not-the-password", "new-password-456"});
        }).code == ErrorCode::kInvalidCredentials);
  Json::Value body(Json::objectValue);
  body["current_password"] = kPassword;
  body["new_password"] = "short";
  const auto bad = outcome_of([&] { services::parse_password_change(body); });
  CHECK(bad.code == ErrorCode::kValidationError);
  CHECK(bad.details.isMember("new_password"));
  CHECK(outcome_of([&] {
          services::parse_password_change(Json::Value(Json::objectValue));
        }).details.isMember("current_password"));

  CHECK(access_works(db, config, pair));
  CHECK(refresh_works(db, config, pair));
  CHECK_NOTHROW(log_in(db, config, "careful@example.com"));
}

TEST_CASE("a role change ends the account's sessions, the new tokens carry the new role",
          "[integration][auth][password]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  services::upsert_account(db, config.bcrypt_cost, "boss@example.com", kPassword, "admin");
  const Json::Value admin_session = log_in(db, config, "boss@example.com");
  REQUIRE(access_works(db, config, admin_session));

  const auto change =
      services::upsert_account(db, config.bcrypt_cost, "boss@example.com", std::nullopt, "user");
  CHECK(change.role_changed);
  CHECK_FALSE(access_works(db, config, admin_session));
  CHECK_FALSE(refresh_works(db, config, admin_session));
  const Json::Value demoted = log_in(db, config, "boss@example.com");
  CHECK(access_works(db, config, demoted));
  CHECK(common::jwt::verify(demoted["access_token"].asString(), config.jwt_secret,
                            services::unix_now())
            .claims.role == "user");
  // Setting the same role again changes nothing and ends nothing.
  (void)services::upsert_account(db, config.bcrypt_cost, "boss@example.com", std::nullopt, "user");
  CHECK(access_works(db, config, demoted));
  CHECK(refresh_works(db, config, demoted));
}
