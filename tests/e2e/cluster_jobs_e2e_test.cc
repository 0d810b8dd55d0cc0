// Job runners on both pool hosts share one queue in PostgreSQL (the cluster
// of scripts/cluster.sh: one runner per pool, the SMTP server on app1): every
// order's confirmation is sent exactly once whichever host's runner takes it,
// and a periodic job runs once per period however many runners try.
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/cluster_client.h"
#include "tests/support/smtp_server.h"

using cluster_test::Reply;
using namespace std::chrono_literals;

namespace {

// The Message-IDs the cluster's SMTP server stored, with how often each came.
std::map<std::string, int> stored_message_ids() {
  std::map<std::string, int> ids;
  for (const test_support::MailMessage& m :
       test_support::read_maildir(cluster_test::cluster_dir() + "/app1/smtp/mail")) {
    ++ids[m.header("Message-ID")];
  }
  return ids;
}

int64_t count(const std::string& sql) { return std::stoll(cluster_test::psql("db1", sql)); }

}  // namespace

TEST_CASE("runners on both hosts share the queue: each order's confirmation is sent once",
          "[cluster][e2e][jobs]") {
  const std::string admin = cluster_test::admin_token();
  const auto [product_id, variant_id] = cluster_test::make_variant(admin, 50, 1250);
  static_cast<void>(product_id);
  std::vector<int64_t> orders;
  for (int i = 0; i < 8; ++i) {
    const std::string buyer = cluster_test::new_user_token();
    Json::Value item;
    item["variant_id"] = static_cast<Json::Int64>(variant_id);
    item["quantity"] = 1;
    REQUIRE(cluster_test::request("POST", "/api/v1/carts/me/items", item, buyer).status == 201);
    const Reply placed = cluster_test::request("POST", "/api/v1/orders/checkout",
                                               Json::Value(Json::objectValue), buyer);
    REQUIRE(placed.status == 201);
    orders.push_back(placed.json()["data"]["order_id"].asInt64());
  }
  std::string id_list;
  for (const int64_t id : orders) {
    if (!id_list.empty()) id_list += ',';
    id_list += std::to_string(id);
  }
  const std::string done_sql =
      "SELECT count(*) FROM jobs WHERE kind = 'order.confirmation' AND state = 'done' AND "
      "(payload->>'order_id')::bigint IN (" +
      id_list + ")";
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (count(done_sql) < static_cast<int64_t>(orders.size()) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
  }
  CHECK(count(done_sql) == static_cast<int64_t>(orders.size()));

  const std::map<std::string, int> ids = stored_message_ids();
  for (const int64_t id : orders) {
    const std::string message_id = "<order-" + std::to_string(id) + "-confirmation@localhost>";
    INFO(message_id);
    const auto it = ids.find(message_id);
    REQUIRE(it != ids.end());
    CHECK(it->second == 1);
  }
}

TEST_CASE("a periodic job runs once per period with runners on both hosts",
          "[cluster][e2e][jobs]") {
  // The cluster's pools reconcile every 10 s (tests/CMakeLists.txt); each
  // runner tries to enqueue each period.
  // Only the periods that begin during this test: earlier ones may have met
  // other tests' faults (a runner killed with its host).
  const std::string first_new = cluster_test::psql("db1", "SELECT coalesce(max(id), 0) FROM jobs");
  const std::string reconciles =
      "SELECT count(*) FROM jobs WHERE kind = 'stock.reconcile' AND id > " + first_new;
  const auto deadline = std::chrono::steady_clock::now() + 35s;
  while (count(reconciles + " AND state = 'done'") < 2 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(500ms);
  }
  CHECK(count(reconciles + " AND state = 'done'") >= 2);
  // Each period's job (one per period: its dedupe key) ran once and found no drift.
  CHECK(count(reconciles + " AND state = 'done' AND attempts <> 1") == 0);
  CHECK(count(reconciles + " AND state = 'done' AND (result->>'drift_variants')::int <> 0") == 0);
  // Both hosts' runners are connected to the primary, each from its own host.
  CHECK(count("SELECT count(DISTINCT client_addr) FROM pg_stat_activity "
              "WHERE application_name = 'ecommerce-job-runner'") == 2);
}
