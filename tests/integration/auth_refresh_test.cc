// Refresh-token rotation, reuse detection, logout and clean-up
// (services/auth_service.h) against real PostgreSQL.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "common/jwt.h"
#include "tests/support/accounts.h"
#include "tests/support/db.h"
#include "tests/support/parallel_calls.h"
#include "workers/services/access_token.h"
#include "workers/services/auth_service.h"

namespace {

namespace pg = common::pg;
using common::ErrorCode;
using test_support::migrated_connection;
using test_support::outcome_of;
using test_support::run_concurrently;
using test_support::run_sql;
using test_support::thread_connections;
using test_support::truncate_all;

// Registers `email` and logs it in; returns the pair.
Json::Value signed_in(pg::Connection& db, const common::Config& config, const std::string& email) {
  services::register_user(db, config, {email, "password-123"}, "10.0.0.9");
  return services::login(db, config, {email, "password-123"}, "10.0.0.9");
}

std::string refresh_token(const Json::Value& pair) { return pair["refresh_token"].asString(); }

bool refresh_works(pg::Connection& db, const common::Config& config, const std::string& token) {
  return outcome_of([&] { services::refresh(db, config, token); }).ok;
}

int64_t count(pg::Connection& db, const std::string& where) {
  return run_sql(db, "SELECT count(*) FROM refresh_tokens WHERE " + where).int64(0, 0);
}

}  // namespace

TEST_CASE("refresh rotates: the old token is spent, the new one works, one family",
          "[integration][auth][refresh]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  const Json::Value first = signed_in(db, config, "rotate@example.com");

  const Json::Value second = services::refresh(db, config, refresh_token(first));
  CHECK(second["token_type"] == "Bearer");
  CHECK(refresh_token(second) != refresh_token(first));
  const auto v = common::jwt::verify(second["access_token"].asString(), config.jwt_secret,
                                     services::unix_now());
  REQUIRE(v.ok());
  CHECK(v.claims.role == "user");

  CHECK(count(db, "true") == 2);
  CHECK(run_sql(db, "SELECT count(DISTINCT family_id) FROM refresh_tokens").int64(0, 0) == 1);
  CHECK(count(db, "used_at IS NOT NULL") == 1);

  const Json::Value third = services::refresh(db, config, refresh_token(second));
  CHECK(refresh_works(db, config, refresh_token(third)));
}

TEST_CASE("a new access token carries the account's current role", "[integration][auth][refresh]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  const Json::Value pair = signed_in(db, config, "promoted@example.com");
  run_sql(db, "UPDATE users SET role = 'admin' WHERE email = 'promoted@example.com'");
  const Json::Value next = services::refresh(db, config, refresh_token(pair));
  CHECK(
      common::jwt::verify(next["access_token"].asString(), config.jwt_secret, services::unix_now())
          .claims.role == "admin");
}

TEST_CASE("a used refresh token presented again revokes its whole family",
          "[integration][auth][refresh]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  const Json::Value stolen = signed_in(db, config, "victim@example.com");
  // Another login of the same account: a family of its own, untouched below.
  const Json::Value other =
      services::login(db, config, {"victim@example.com", "password-123"}, "10.0.0.9");
  const Json::Value rotated = services::refresh(db, config, refresh_token(stolen));

  const auto reuse = outcome_of([&] { services::refresh(db, config, refresh_token(stolen)); });
  CHECK(reuse.code == ErrorCode::kUnauthorized);
  // The legitimate successor dies with the family (committed despite the 401).
  CHECK_FALSE(refresh_works(db, config, refresh_token(rotated)));
  CHECK(count(db, "revoked_at IS NOT NULL") == 2);
  CHECK(refresh_works(db, config, refresh_token(other)));
}

TEST_CASE("logout revokes the family, logging out twice or with junk is harmless",
          "[integration][auth][refresh]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  const Json::Value first = signed_in(db, config, "leaving@example.com");
  const Json::Value second = services::refresh(db, config, refresh_token(first));

  services::logout(db, refresh_token(second));
  CHECK_FALSE(refresh_works(db, config, refresh_token(second)));
  CHECK(count(db, "revoked_at IS NULL") == 0);
  CHECK_NOTHROW(services::logout(db, refresh_token(second)));
  CHECK_NOTHROW(services::logout(db, "not-a-token"));
  // Logging out with an older token of the family works the same.
  const Json::Value again =
      services::login(db, config, {"leaving@example.com", "password-123"}, "10.0.0.9");
  const Json::Value again2 = services::refresh(db, config, refresh_token(again));
  services::logout(db, refresh_token(again));
  CHECK_FALSE(refresh_works(db, config, refresh_token(again2)));
}

TEST_CASE("unknown and expired refresh tokens are 401", "[integration][auth][refresh]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  CHECK(outcome_of([&] { services::refresh(db, config, "no-such-token"); }).code ==
        ErrorCode::kUnauthorized);
  const Json::Value pair = signed_in(db, config, "late@example.com");
  run_sql(db, "UPDATE refresh_tokens SET expires_at = now() - interval '1 second'");
  CHECK(outcome_of([&] { services::refresh(db, config, refresh_token(pair)); }).code ==
        ErrorCode::kUnauthorized);
}

TEST_CASE("concurrent refreshes of one token: one wins, the reuse revokes the family",
          "[integration][auth][refresh]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  const std::string token = refresh_token(signed_in(db, config, "racer@example.com"));
  constexpr int kThreads = 6;
  auto connections = thread_connections(kThreads);
  const auto outcomes =
      run_concurrently(kThreads, [&](int i) { services::refresh(*connections[i], config, token); });
  int ok = 0;
  for (const auto& o : outcomes) {
    INFO(o.error);
    if (o.ok) {
      ++ok;
    } else {
      CHECK(o.code == ErrorCode::kUnauthorized);
    }
  }
  CHECK(ok == 1);
  CHECK(count(db, "true") == 2);  // exactly one successor was issued
  CHECK(count(db, "revoked_at IS NULL") == 0);
}

TEST_CASE("logins clean up expired and revoked refresh tokens", "[integration][auth][refresh]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  const Json::Value a = signed_in(db, config, "cleanup@example.com");
  const Json::Value b = services::login(db, config, {"cleanup@example.com", "password-123"}, "x");
  const Json::Value c = services::login(db, config, {"cleanup@example.com", "password-123"}, "x");
  services::logout(db, refresh_token(a));
  run_sql(db,
          "UPDATE refresh_tokens SET expires_at = now() - interval '1 day' WHERE token_hash = '" +
              services::refresh_token_hash(refresh_token(b)) + "'");
  CHECK(count(db, "true") == 3);
  services::login(db, config, {"cleanup@example.com", "password-123"}, "x");
  // a (revoked) and b (expired) are gone; c and the new one stay.
  CHECK(count(db, "true") == 2);
  CHECK(refresh_works(db, config, refresh_token(c)));
}

TEST_CASE("no token of a family outlives a reuse detection or a logout that races rotations",
          "[integration][auth][refresh][race]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const common::Config config = test_support::accounts_config();
  services::register_user(db, config, {"chased@example.com", "password-123"}, "10.0.0.9");
  constexpr int kRounds = 50;
  constexpr int kRotators = 3;
  constexpr int kRotationsPerThread = 30;
  auto connections = thread_connections(kRotators + 1);
  int survivors = 0;
  for (int round = 0; round < kRounds; ++round) {
    const Json::Value first =
        services::login(db, config, {"chased@example.com", "password-123"}, "10.0.0.9");
    const std::string spent = refresh_token(first);
    const std::string live = refresh_token(services::refresh(db, config, spent));
    const std::string family =
        run_sql(db, "SELECT family_id::text FROM refresh_tokens WHERE token_hash = '" +
                        services::refresh_token_hash(live) + "'")
            .str(0, 0);
    // Rotators chase the family's live token while one thread revokes the
    // family through the spent token: reuse detection or logout.
    std::vector<std::string> latest(kRotators + 1, live);
    (void)run_concurrently(kRotators + 1, [&](int i) {
      if (i == 0) {
        if (round % 2 == 0) {
          (void)outcome_of([&] { services::refresh(*connections[0], config, spent); });
        } else {
          services::logout(*connections[0], spent);
        }
        return;
      }
      // Each rotator presents the newest token it holds until one is refused:
      // rotators that lose to each other trigger reuse detection themselves.
      for (int n = 0; n < kRotationsPerThread; ++n) {
        const auto next = outcome_of([&] {
          latest[i] = refresh_token(services::refresh(*connections[i], config, latest[i]));
        });
        if (!next.ok) return;
      }
    });
    survivors += static_cast<int>(
        count(db, "family_id = '" + family + "' AND revoked_at IS NULL AND used_at IS NULL"));
    for (int i = 1; i <= kRotators; ++i) {
      INFO("round " << round << ", rotator " << i);
      CHECK_FALSE(refresh_works(db, config, latest[i]));
    }
  }
  CHECK(survivors == 0);
}
