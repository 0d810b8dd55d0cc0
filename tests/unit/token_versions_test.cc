// The per-worker cache of account token versions (services/token_versions.h):
// how long an entry is trusted, and what a revoked or newer token does.
#include "workers/services/token_versions.h"

#include <catch2/catch.hpp>
#include <map>

#include "common/error.h"

namespace {

using common::AppError;
using common::ErrorCode;

// Accounts and their versions, and how often the cache read them.
struct FakeUsers {
  std::map<int64_t, int64_t> versions;
  int reads = 0;
  services::TokenVersions cache() {
    return services::TokenVersions([this](common::pg::Connection&, int64_t id) {
      ++reads;
      auto it = versions.find(id);
      return it == versions.end() ? std::nullopt : std::optional<int64_t>(it->second);
    });
  }
};

bool refused(services::TokenVersions& cache, common::pg::Connection& db, int64_t user, int64_t ver,
             int lag, int64_t now) {
  try {
    cache.check(db, user, ver, lag, now);
    return false;
  } catch (const AppError& e) {
    return e.code() == ErrorCode::kUnauthorized;
  }
}

}  // namespace

TEST_CASE("a version bump ends older tokens within the lag", "[unit][access][token_versions]") {
  common::pg::Connection db{common::pg::ConnectionOptions{}};
  FakeUsers users{{{7, 0}}};
  auto cache = users.cache();
  const int64_t t0 = 1'800'000'000;
  CHECK_FALSE(refused(cache, db, 7, 0, 30, t0));
  CHECK_FALSE(refused(cache, db, 7, 0, 30, t0 + 10));
  CHECK(users.reads == 1);  // the second check was answered by the cache

  users.versions[7] = 1;                               // the password changed
  CHECK_FALSE(refused(cache, db, 7, 0, 30, t0 + 29));  // within the lag: still taken
  CHECK(refused(cache, db, 7, 0, 30, t0 + 30));        // the lag is over: read again, refused
  CHECK(refused(cache, db, 7, 0, 30, t0 + 31));
  CHECK_FALSE(refused(cache, db, 7, 1, 30, t0 + 31));  // a token issued after the change
}

TEST_CASE("a token newer than the cached version reads the account again",
          "[unit][access][token_versions]") {
  common::pg::Connection db{common::pg::ConnectionOptions{}};
  FakeUsers users{{{7, 0}}};
  auto cache = users.cache();
  const int64_t t0 = 1'800'000'000;
  CHECK_FALSE(refused(cache, db, 7, 0, 30, t0));
  users.versions[7] = 1;
  CHECK_FALSE(refused(cache, db, 7, 1, 30, t0 + 1));
  CHECK(users.reads == 2);
  CHECK(refused(cache, db, 7, 0, 30, t0 + 2));  // and the old one is refused from then on
}

TEST_CASE("lag 0 reads on every check, and a deleted account is refused",
          "[unit][access][token_versions]") {
  common::pg::Connection db{common::pg::ConnectionOptions{}};
  FakeUsers users{{{7, 3}}};
  auto cache = users.cache();
  const int64_t t0 = 1'800'000'000;
  CHECK_FALSE(refused(cache, db, 7, 3, 0, t0));
  CHECK_FALSE(refused(cache, db, 7, 3, 0, t0));
  CHECK(users.reads == 2);
  users.versions.erase(7);
  CHECK(refused(cache, db, 7, 3, 0, t0));
  CHECK(refused(cache, db, 8, 0, 30, t0));  // never existed
}
