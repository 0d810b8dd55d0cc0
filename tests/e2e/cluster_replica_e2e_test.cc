// The read replica (db2) and the shared Redis (cache) on hosts of their own:
// catalogue answers come from the replica only when it has replayed what the
// cache's versions reflect; a paused, stopped or lost part never makes an
// answer stale or an error. Each test brings back what it stopped.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "tests/e2e/cluster_client.h"

using cluster_test::Reply;
using namespace std::chrono_literals;

namespace {

int64_t price_of(int64_t product_id, int64_t variant_id) {
  const Reply r = cluster_test::request("GET", "/api/v1/products/" + std::to_string(product_id));
  REQUIRE(r.status == 200);
  const Json::Value detail = r.json();
  for (const Json::Value& v : detail["data"]["variants"]) {
    if (v["id"].asInt64() == variant_id) return v["price_cents"].asInt64();
  }
  FAIL("variant " << variant_id << " not in its product's detail");
  return -1;
}

void set_price(const std::string& admin, int64_t variant_id, int64_t cents) {
  Json::Value change;
  change["price_cents"] = static_cast<Json::Int64>(cents);
  const Reply r = cluster_test::request(
      "PATCH", "/api/v1/admin/variants/" + std::to_string(variant_id), change, admin);
  INFO(r.body);
  REQUIRE(r.status == 200);
}

Json::Value health() {
  const Reply r = cluster_test::request("GET", "/health");
  INFO(r.body);
  CHECK(r.status == 200);  // neither the replica nor Redis ever makes it 503
  return r.json();
}

// Polls /health until `field` says `value` (bounded); returns whether it did.
bool health_says(const std::string& field, const std::string& value) {
  for (int i = 0; i < 50; ++i) {
    if (health()[field].asString() == value) return true;
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

// Workers' replica connections whose last statement was a catalogue read
// (not the replay check) that ended after `since` (db2's clock). From
// pg_stat_activity, which is current, unlike the cumulative statistics.
int replica_reads_since(const std::string& since) {
  return std::stoi(cluster_test::psql(
      "db2",
      "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
      "'ecommerce-server (replica reads)' AND query NOT LIKE '%pg_last_wal_replay_lsn%' "
      "AND state_change > '" +
          since + "'::timestamptz"));
}

}  // namespace

TEST_CASE("catalogue reads go to the replica once it has replayed the last write",
          "[cluster][e2e][replica]") {
  REQUIRE(health_says("replica", "ok"));
  const std::string admin = cluster_test::admin_token();
  const auto [product_id, variant_id] = cluster_test::make_variant(admin, 4, 700);
  set_price(admin, variant_id, 701);  // a recorded WAL position, past the new product
  // Streaming is asynchronous: until db2 has replayed that write, reads go to db1.
  const std::string written = cluster_test::psql("db1", "SELECT pg_current_wal_lsn()");
  bool caught_up = false;
  for (int i = 0; i < 50 && !caught_up; ++i) {
    caught_up = cluster_test::psql(
                    "db2", "SELECT pg_last_wal_replay_lsn() >= '" + written + "'::pg_lsn") == "t";
    if (!caught_up) std::this_thread::sleep_for(100ms);
  }
  REQUIRE(caught_up);
  const std::string since = cluster_test::psql("db2", "SELECT now()");
  for (int i = 1; i <= 10; ++i) {
    // Distinct pages: every one a cache miss, read from PostgreSQL.
    const Reply r = cluster_test::request("GET", "/api/v1/products?limit=" + std::to_string(i));
    CHECK(r.status == 200);
  }
  CHECK(price_of(product_id, variant_id) == 701);
  CHECK(replica_reads_since(since) >= 1);
  const Reply metrics = cluster_test::request("GET", "/metrics");
  CHECK(metrics.body.find("\nreplica_lag_seconds ") != std::string::npos);
}

TEST_CASE("replica replay paused: answers stay current and /health says lagging",
          "[cluster][e2e][replica]") {
  const std::string admin = cluster_test::admin_token();
  const auto [product_id, variant_id] = cluster_test::make_variant(admin, 4, 800);
  REQUIRE(price_of(product_id, variant_id) == 800);
  REQUIRE(cluster_test::psql("db2", "SELECT pg_wal_replay_pause()").find("ERROR") ==
          std::string::npos);
  set_price(admin, variant_id, 801);
  for (int i = 0; i < 6; ++i) {
    INFO("read " << i << " while the replica replays nothing");
    CHECK(price_of(product_id, variant_id) == 801);
  }
  CHECK(health_says("replica", "lagging"));
  (void)cluster_test::psql("db2", "SELECT pg_wal_replay_resume()");
  CHECK(health_says("replica", "ok"));
  CHECK(price_of(product_id, variant_id) == 801);
}

TEST_CASE("db2 stopped: reads continue from the primary and /health says unreachable",
          "[cluster][e2e][replica]") {
  const std::string admin = cluster_test::admin_token();
  const auto [product_id, variant_id] = cluster_test::make_variant(admin, 4, 900);
  REQUIRE(cluster_test::cluster("stop db2") == 0);
  set_price(admin, variant_id, 901);
  for (int i = 1; i <= 8; ++i) {
    const Reply r = cluster_test::request("GET", "/api/v1/products?limit=" + std::to_string(i));
    CHECK(r.status == 200);
  }
  CHECK(price_of(product_id, variant_id) == 901);
  CHECK(health_says("replica", "unreachable"));
  CHECK(health()["database"].asString() == "reachable");
  REQUIRE(cluster_test::cluster("start db2") == 0);
  CHECK(health_says("replica", "ok"));
  CHECK(price_of(product_id, variant_id) == 901);
}

TEST_CASE("Redis stopped: every answer still comes, current, as on one host",
          "[cluster][e2e][cache]") {
  const std::string admin = cluster_test::admin_token();
  const auto [product_id, variant_id] = cluster_test::make_variant(admin, 4, 1100);
  REQUIRE(price_of(product_id, variant_id) == 1100);  // cached
  REQUIRE(cluster_test::cluster("stop cache") == 0);
  set_price(admin, variant_id, 1101);  // its invalidation is lost: the epoch is owed
  for (int i = 0; i < 6; ++i) CHECK(price_of(product_id, variant_id) == 1101);
  CHECK(health_says("cache", "unreachable"));
  REQUIRE(cluster_test::cluster("start cache") == 0);
  CHECK(health_says("cache", "reachable"));
  // Back, the old entry must not come back (the owed epoch bump orphans it).
  for (int i = 0; i < 6; ++i) CHECK(price_of(product_id, variant_id) == 1101);
}
