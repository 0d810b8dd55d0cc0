// Two pools behind one nginx, on hosts of their own (scripts/cluster.sh):
// what one pool host guarantees holds across both. The cluster is started
// once for this binary by the "cluster: up" fixture (tests/CMakeLists.txt);
// a test that breaks a host brings it back before it ends.
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/cluster_client.h"

using cluster_test::Reply;

namespace {

// Runs fn(i) for i in 0..n-1 on n threads released together; returns the replies.
template <class Fn>
std::vector<Reply> race(int n, Fn fn) {
  std::vector<Reply> replies(static_cast<size_t>(n));
  std::vector<std::thread> threads;
  std::mutex m;
  bool go = false;
  std::condition_variable cv;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return go; });
      }
      replies[static_cast<size_t>(i)] = fn(i);
    });
  }
  {
    std::lock_guard lock(m);
    go = true;
  }
  cv.notify_all();
  for (auto& t : threads) t.join();
  return replies;
}

Json::Value one_unit(int64_t variant_id) {
  Json::Value item;
  item["variant_id"] = static_cast<Json::Int64>(variant_id);
  item["quantity"] = 1;
  return item;
}

Json::Value product_variant(int64_t product_id, int64_t variant_id) {
  const Reply r = cluster_test::request("GET", "/api/v1/products/" + std::to_string(product_id));
  REQUIRE(r.status == 200);
  const Json::Value detail = r.json();
  for (const Json::Value& v : detail["data"]["variants"]) {
    if (v["id"].asInt64() == variant_id) return v;
  }
  FAIL("variant " << variant_id << " not in its product's detail");
  return Json::Value();
}

const std::string kCheckout = "/api/v1/orders/checkout";
const std::string kDetail = "/api/v1/products/{id}";

}  // namespace

TEST_CASE("thirty buyers for ten units over both pools make exactly ten orders",
          "[cluster][e2e][orders]") {
  const std::string admin = cluster_test::admin_token();
  const auto [product_id, variant_id] = cluster_test::make_variant(admin, 10, 1999);
  std::vector<std::string> buyers;
  for (int i = 0; i < 30; ++i) {
    buyers.push_back(cluster_test::new_user_token());
    const Reply add = cluster_test::request("POST", "/api/v1/carts/me/items", one_unit(variant_id),
                                            buyers.back());
    REQUIRE(add.status == 201);
  }
  const int app1_before = cluster_test::logged_requests("app1", "POST", kCheckout);
  const int app2_before = cluster_test::logged_requests("app2", "POST", kCheckout);

  const std::vector<Reply> replies = race(30, [&](int i) {
    return cluster_test::request_nothrow("POST", kCheckout, Json::Value(Json::objectValue),
                                         buyers[static_cast<size_t>(i)],
                                         {"Idempotency-Key: buyer-" + std::to_string(i)});
  });
  std::map<long, int> statuses;
  for (const Reply& r : replies) {
    ++statuses[r.status];
    if (r.status == 409) CHECK(r.json()["error"]["code"].asString() == "INSUFFICIENT_STOCK");
  }
  INFO("statuses: 201 x " << statuses[201] << ", 409 x " << statuses[409] << ", other x "
                          << (30 - statuses[201] - statuses[409]));
  CHECK(statuses[201] == 10);
  CHECK(statuses[409] == 20);

  const Json::Value variant = product_variant(product_id, variant_id);
  CHECK(variant["available"].asInt64() == 0);
  CHECK(variant["reserved"].asInt64() == 10);
  CHECK(cluster_test::psql("db1", "SELECT count(*) FROM order_items WHERE variant_id = " +
                                      std::to_string(variant_id)) == "10");
  // Both pools took part.
  CHECK(cluster_test::logged_requests("app1", "POST", kCheckout) > app1_before);
  CHECK(cluster_test::logged_requests("app2", "POST", kCheckout) > app2_before);
}

TEST_CASE("one idempotency key sent to both pools at once makes one order",
          "[cluster][e2e][orders]") {
  const std::string admin = cluster_test::admin_token();
  const auto [product_id, variant_id] = cluster_test::make_variant(admin, 5, 2500);
  const std::string buyer = cluster_test::new_user_token();
  REQUIRE(
      cluster_test::request("POST", "/api/v1/carts/me/items", one_unit(variant_id), buyer).status ==
      201);
  const int app1_before = cluster_test::logged_requests("app1", "POST", kCheckout);
  const int app2_before = cluster_test::logged_requests("app2", "POST", kCheckout);

  const std::vector<Reply> replies = race(8, [&](int) {
    return cluster_test::request_nothrow("POST", kCheckout, Json::Value(Json::objectValue), buyer,
                                         {"Idempotency-Key: both-pools-one-order"});
  });
  std::set<int64_t> orders;
  int created = 0;
  for (const Reply& r : replies) {
    INFO(r.status << " " << r.body);
    CHECK(r.status < 500);
    CHECK(r.status != 0);
    if (r.status == 201) {
      ++created;
      orders.insert(r.json()["data"]["order_id"].asInt64());
    }
  }
  CHECK(created >= 1);
  CHECK(orders.size() == 1);
  const Reply mine = cluster_test::request("GET", "/api/v1/orders", Json::Value(), buyer);
  CHECK(mine.json()["data"]["items"].size() == 1);
  CHECK(product_variant(product_id, variant_id)["reserved"].asInt64() == 1);
  CHECK(cluster_test::logged_requests("app1", "POST", kCheckout) > app1_before);
  CHECK(cluster_test::logged_requests("app2", "POST", kCheckout) > app2_before);
}

TEST_CASE("an admin price change is read at once through both pools", "[cluster][e2e][cache]") {
  const std::string admin = cluster_test::admin_token();
  const auto [product_id, variant_id] = cluster_test::make_variant(admin, 3, 1000);
  // Cached on both pools' side first (one Redis, but each pool read it).
  for (int i = 0; i < 4; ++i) {
    CHECK(product_variant(product_id, variant_id)["price_cents"].asInt64() == 1000);
  }
  Json::Value change;
  change["price_cents"] = 1234;
  REQUIRE(cluster_test::request("PATCH", "/api/v1/admin/variants/" + std::to_string(variant_id),
                                change, admin)
              .status == 200);
  const int app1_before = cluster_test::logged_requests("app1", "GET", kDetail);
  const int app2_before = cluster_test::logged_requests("app2", "GET", kDetail);
  for (int i = 0; i < 6; ++i) {
    INFO("read " << i << " after the change");
    CHECK(product_variant(product_id, variant_id)["price_cents"].asInt64() == 1234);
  }
  CHECK(cluster_test::logged_requests("app1", "GET", kDetail) > app1_before);
  CHECK(cluster_test::logged_requests("app2", "GET", kDetail) > app2_before);
}
