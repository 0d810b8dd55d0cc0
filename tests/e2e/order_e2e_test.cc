// Checkout and orders over HTTP through nginx and the pool (API.md "Orders"):
// the walkthrough of the README, idempotency, the state machine with the
// catalogue's stock following every step, and buyers racing for few units.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "common/pg.h"
#include "tests/support/api_session.h"
#include "tests/support/invariants.h"
#include "tests/support/parallel_calls.h"

using test_support::api;
using test_support::api_make_variant;
using test_support::api_nothrow;
using test_support::catalogue_variant;
using test_support::HttpResponse;
using test_support::Session;

namespace {

void check_error(const HttpResponse& r, long status, const char* code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(r.json()["success"] == false);
  CHECK(r.json()["error"]["code"] == code);
}

Json::Value item(int64_t variant_id, int64_t quantity) {
  Json::Value body(Json::objectValue);
  body["variant_id"] = static_cast<Json::Int64>(variant_id);
  body["quantity"] = static_cast<Json::Int64>(quantity);
  return body;
}

void add_to_cart(const Session& user, int64_t variant_id, int64_t quantity) {
  const HttpResponse r = api(user, "POST", "/api/v1/carts/me/items", item(variant_id, quantity));
  INFO(r.body);
  REQUIRE(r.status == 201);
}

std::string order_path(const Json::Value& order, const std::string& action = "") {
  return "/api/v1/orders/" + order["order_id"].asString() + (action.empty() ? "" : "/" + action);
}

std::string admin_path(const Json::Value& order, const std::string& action) {
  return "/api/v1/admin/orders/" + order["order_id"].asString() + "/" + action;
}

Json::Value payment(const std::string& reference) {
  Json::Value body(Json::objectValue);
  body["payment_reference"] = reference;
  return body;
}

// A user's order of `quantity` units of `variant_id` (REQUIREs 201).
Json::Value place_order(const Session& user, int64_t variant_id, int64_t quantity) {
  add_to_cart(user, variant_id, quantity);
  const HttpResponse r = api(user, "POST", "/api/v1/orders/checkout");
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.json()["data"];
}

void require_invariants() {
  common::pg::Connection db(test_support::e2e_db_options());
  test_support::require_stock_invariants(db);
}

}  // namespace

TEST_CASE("log in, fill a cart, check out, pay, ship: the catalogue follows every step",
          "[e2e][orders]") {
  const Session buyer = test_support::new_user_session();
  const Session admin = test_support::admin_session();
  const std::string sku = "ELEC-PHONE-002-128";
  const Json::Value before = catalogue_variant(sku);
  const int64_t variant = before["id"].asInt64();
  const int64_t available = before["available"].asInt64();
  const int64_t reserved = before["reserved"].asInt64();

  add_to_cart(buyer, variant, 2);
  CHECK(catalogue_variant(sku)["available"] == static_cast<Json::Int64>(available));

  const HttpResponse created = api(buyer, "POST", "/api/v1/orders/checkout", Json::Value(),
                                   {"Idempotency-Key: walkthrough-1"});
  INFO(created.body);
  REQUIRE(created.status == 201);
  CHECK(created.header("idempotent-replayed").empty());
  const Json::Value order = created.json()["data"];
  CHECK(order["status"] == "created");
  CHECK(order["total_cents"] == 2 * 79999);
  CHECK(order["item_count"] == 1);
  CHECK(order["items"][0]["variant_sku"] == sku);
  CHECK(order["items"][0]["attributes"]["storage_gb"] == 128);
  CHECK(order["created_at"].asString().ends_with("+00:00"));
  Json::Value after_checkout = catalogue_variant(sku);
  CHECK(after_checkout["available"] == static_cast<Json::Int64>(available - 2));
  CHECK(after_checkout["reserved"] == static_cast<Json::Int64>(reserved + 2));
  CHECK(api(buyer, "GET", "/api/v1/carts/me").json()["data"]["is_empty"] == true);

  const HttpResponse paid = api(buyer, "POST", order_path(order, "pay"), payment("sim-42"));
  REQUIRE(paid.status == 200);
  CHECK(paid.json()["data"]["status"] == "paid");
  CHECK(paid.json()["data"]["payment_reference"] == "sim-42");
  CHECK(catalogue_variant(sku)["reserved"] == static_cast<Json::Int64>(reserved + 2));

  check_error(api(buyer, "POST", admin_path(order, "ship")), 403, "FORBIDDEN");
  const HttpResponse shipped = api(admin, "POST", admin_path(order, "ship"));
  INFO(shipped.body);
  REQUIRE(shipped.status == 200);
  CHECK(shipped.json()["data"]["status"] == "shipped");
  const Json::Value after_ship = catalogue_variant(sku);
  CHECK(after_ship["available"] == static_cast<Json::Int64>(available - 2));
  CHECK(after_ship["reserved"] == static_cast<Json::Int64>(reserved));

  const HttpResponse detail = api(buyer, "GET", order_path(order));
  REQUIRE(detail.status == 200);
  const Json::Value events = detail.json()["data"]["events"];
  REQUIRE(events.size() == 3);
  CHECK(events[0]["to_status"] == "created");
  CHECK(events[1]["to_status"] == "paid");
  CHECK(events[2]["from_status"] == "paid");
  CHECK(events[2]["to_status"] == "shipped");
  CHECK(events[2]["actor"] == "admin");

  const Json::Value listed = api(buyer, "GET", "/api/v1/orders").json()["data"];
  REQUIRE(listed["items"].size() == 1);
  CHECK(listed["items"][0]["order_id"] == order["order_id"]);
  CHECK(listed["items"][0]["status"] == "shipped");
  check_error(api(buyer, "POST", order_path(order, "cancel")), 409, "INVALID_STATE");
  require_invariants();
}

TEST_CASE("a retried checkout replays its first answer, another body is refused",
          "[e2e][orders][idempotency]") {
  const Session buyer = test_support::new_user_session();
  const int64_t variant = catalogue_variant("CLO-TSHIRT-001-S-WHT")["id"].asInt64();
  add_to_cart(buyer, variant, 1);
  const std::vector<std::string> key = {"Idempotency-Key: idem-abc-1"};

  const HttpResponse first = api(buyer, "POST", "/api/v1/orders/checkout", Json::Value(), key);
  REQUIRE(first.status == 201);
  add_to_cart(buyer, variant, 1);  // a replay must not buy this
  const HttpResponse again = api(buyer, "POST", "/api/v1/orders/checkout", Json::Value(), key);
  REQUIRE(again.status == 201);
  CHECK(again.header("idempotent-replayed") == "true");
  CHECK(again.json()["data"] == first.json()["data"]);
  CHECK(api(buyer, "GET", "/api/v1/carts/me").json()["data"]["total_quantity"] == 1);

  Json::Value other(Json::objectValue);
  other["currency"] = "EUR";
  check_error(api(buyer, "POST", "/api/v1/orders/checkout", other, key), 409,
              "IDEMPOTENCY_KEY_REUSED");
  check_error(api(buyer, "POST", "/api/v1/orders/checkout", Json::Value(),
                  {"Idempotency-Key: " + std::string(256, 'k')}),
              400, "VALIDATION_ERROR");
  CHECK(api(buyer, "GET", "/api/v1/orders").json()["data"]["items"].size() == 1);
}

TEST_CASE("concurrent submits with one Idempotency-Key make one order over HTTP",
          "[e2e][orders][idempotency][concurrency]") {
  const Session buyer = test_support::new_user_session();
  const int64_t variant = catalogue_variant("CLO-TSHIRT-001-L-BLK")["id"].asInt64();
  add_to_cart(buyer, variant, 2);
  constexpr int kClients = 8;
  std::vector<HttpResponse> answers(kClients);
  test_support::run_concurrently(kClients, [&](int i) {
    answers[static_cast<size_t>(i)] = api_nothrow(buyer, "POST", "/api/v1/orders/checkout",
                                                  Json::Value(), {"Idempotency-Key: same-click"});
  });
  std::set<int64_t> order_ids;
  int fresh = 0;
  for (const HttpResponse& r : answers) {
    INFO(r.body);
    CHECK(r.status == 201);
    order_ids.insert(r.json()["data"]["order_id"].asInt64());
    fresh += r.header("idempotent-replayed").empty();
  }
  CHECK(order_ids.size() == 1);
  CHECK(fresh == 1);
  CHECK(api(buyer, "GET", "/api/v1/orders").json()["data"]["items"].size() == 1);
  require_invariants();
}

TEST_CASE("N concurrent buyers for fewer units over HTTP: as many 201s as units, the rest 409",
          "[e2e][orders][concurrency]") {
  const Session admin = test_support::admin_session();
  constexpr int kBuyers = 12;
  constexpr int kUnits = 4;
  const auto scarce = api_make_variant(admin, kUnits, 1500);
  std::vector<Session> buyers;
  for (int i = 0; i < kBuyers; ++i) {
    buyers.push_back(test_support::new_user_session());
    add_to_cart(buyers.back(), scarce.variant_id, 1);
  }

  std::vector<HttpResponse> answers(kBuyers);
  test_support::run_concurrently(kBuyers, [&](int i) {
    answers[static_cast<size_t>(i)] =
        api_nothrow(buyers[static_cast<size_t>(i)], "POST", "/api/v1/orders/checkout");
  });
  int created = 0, short_stock = 0;
  for (const HttpResponse& r : answers) {
    INFO(r.body);
    CHECK(r.status < 500);
    CHECK(r.status != 0);
    if (r.status == 201) ++created;
    if (r.status == 409) {
      CHECK(r.json()["error"]["code"] == "INSUFFICIENT_STOCK");
      CHECK(r.json()["error"]["details"][std::to_string(scarce.variant_id)] == 0);
      ++short_stock;
    }
  }
  CHECK(created == kUnits);
  CHECK(short_stock == kBuyers - kUnits);
  const Json::Value stock = catalogue_variant(scarce.product_id, scarce.variant_id);
  CHECK(stock["available"] == 0);
  CHECK(stock["reserved"] == kUnits);
  CHECK(stock["in_stock"] == false);
  require_invariants();
}

TEST_CASE("cancel and refund put the units back once, visible in the catalogue", "[e2e][orders]") {
  const Session buyer = test_support::new_user_session();
  const Session admin = test_support::admin_session();
  const auto v = api_make_variant(admin, 10, 500);

  const Json::Value cancelled = place_order(buyer, v.variant_id, 3);
  CHECK(catalogue_variant(v.product_id, v.variant_id)["available"] == 7);
  const HttpResponse cancel = api(buyer, "POST", order_path(cancelled, "cancel"));
  REQUIRE(cancel.status == 200);
  CHECK(cancel.json()["data"]["status"] == "cancelled");
  check_error(api(buyer, "POST", order_path(cancelled, "cancel")), 409, "INVALID_STATE");
  check_error(api(buyer, "POST", order_path(cancelled, "pay"), payment("late")), 409,
              "INVALID_STATE");
  CHECK(catalogue_variant(v.product_id, v.variant_id)["available"] == 10);

  const Json::Value refunded = place_order(buyer, v.variant_id, 4);
  check_error(api(admin, "POST", admin_path(refunded, "refund")), 409, "INVALID_STATE");
  REQUIRE(api(buyer, "POST", order_path(refunded, "pay"), payment("p-1")).status == 200);
  check_error(api(buyer, "POST", admin_path(refunded, "refund")), 403, "FORBIDDEN");
  const HttpResponse refund = api(admin, "POST", admin_path(refunded, "refund"));
  REQUIRE(refund.status == 200);
  CHECK(refund.json()["data"]["status"] == "refunded");
  check_error(api(admin, "POST", admin_path(refunded, "refund")), 409, "INVALID_STATE");
  const Json::Value stock = catalogue_variant(v.product_id, v.variant_id);
  CHECK(stock["available"] == 10);
  CHECK(stock["reserved"] == 0);
  require_invariants();
}

TEST_CASE("concurrent cancels over HTTP restock once", "[e2e][orders][concurrency]") {
  const Session buyer = test_support::new_user_session();
  const auto v = api_make_variant(test_support::admin_session(), 5, 700);
  const Json::Value order = place_order(buyer, v.variant_id, 5);
  constexpr int kClients = 6;
  std::vector<long> statuses(kClients);
  test_support::run_concurrently(kClients, [&](int i) {
    statuses[static_cast<size_t>(i)] =
        api_nothrow(buyer, "POST", order_path(order, "cancel")).status;
  });
  CHECK(std::count(statuses.begin(), statuses.end(), 200L) == 1);
  CHECK(std::count(statuses.begin(), statuses.end(), 409L) == kClients - 1);
  const Json::Value stock = catalogue_variant(v.product_id, v.variant_id);
  CHECK(stock["available"] == 5);
  CHECK(stock["reserved"] == 0);
  require_invariants();
}

TEST_CASE("a failed checkout leaves the cart and the stock as they were", "[e2e][orders]") {
  const Session admin = test_support::admin_session();
  const Session buyer = test_support::new_user_session();
  const Session rival = test_support::new_user_session();
  const auto a = api_make_variant(admin, 2, 100);
  const auto b = api_make_variant(admin, 3, 200);
  add_to_cart(buyer, a.variant_id, 2);
  add_to_cart(buyer, b.variant_id, 3);
  place_order(rival, a.variant_id, 1);

  const Json::Value cart_before = api(buyer, "GET", "/api/v1/carts/me").json()["data"];
  const HttpResponse failed =
      api(buyer, "POST", "/api/v1/orders/checkout", Json::Value(), {"Idempotency-Key: short-1"});
  check_error(failed, 409, "INSUFFICIENT_STOCK");
  const Json::Value details = failed.json()["error"]["details"];
  CHECK(details.size() == 1);
  CHECK(details[std::to_string(a.variant_id)] == 1);
  CHECK(api(buyer, "GET", "/api/v1/carts/me").json()["data"] == cart_before);
  CHECK(catalogue_variant(a.product_id, a.variant_id)["available"] == 1);
  CHECK(catalogue_variant(b.product_id, b.variant_id)["available"] == 3);
  CHECK(api(buyer, "GET", "/api/v1/orders").json()["data"]["items"].empty());

  // Once the cart fits, the same key goes through: a failure is not stored.
  const HttpResponse patched =
      api(buyer, "PATCH",
          "/api/v1/carts/me/items/" + cart_before["items"][0]["cart_item_id"].asString(), [] {
            Json::Value q(Json::objectValue);
            q["quantity"] = 1;
            return q;
          }());
  REQUIRE(patched.status == 200);
  CHECK(api(buyer, "POST", "/api/v1/orders/checkout", Json::Value(), {"Idempotency-Key: short-1"})
            .status == 201);
  require_invariants();
}

TEST_CASE("checkout errors: empty cart, someone else's address, bad body", "[e2e][orders]") {
  const Session buyer = test_support::new_user_session();
  const Session other = test_support::new_user_session();
  check_error(api(buyer, "POST", "/api/v1/orders/checkout"), 409, "CART_EMPTY");
  check_error(api(Session{}, "POST", "/api/v1/orders/checkout"), 401, "UNAUTHORIZED");

  Json::Value address(Json::objectValue);
  address["line1"] = "2 Side St";
  address["city"] = "Paris";
  address["country"] = "FR";
  address["postal_code"] = "75001";
  const int64_t theirs =
      api(other, "POST", "/api/v1/addresses", address).json()["data"]["id"].asInt64();
  const int64_t mine =
      api(buyer, "POST", "/api/v1/addresses", address).json()["data"]["id"].asInt64();
  add_to_cart(buyer, catalogue_variant("BOOK-PYFLASK-001-PBK")["id"].asInt64(), 1);

  Json::Value body(Json::objectValue);
  body["shipping_address_id"] = static_cast<Json::Int64>(theirs);
  const HttpResponse foreign = api(buyer, "POST", "/api/v1/orders/checkout", body);
  check_error(foreign, 400, "VALIDATION_ERROR");
  CHECK(foreign.json()["error"]["details"].isMember("shipping_address_id"));
  body["shipping_address_id"] = "7";
  check_error(api(buyer, "POST", "/api/v1/orders/checkout", body), 400, "VALIDATION_ERROR");

  body["shipping_address_id"] = static_cast<Json::Int64>(mine);
  body["currency"] = "EUR";
  const HttpResponse ok = api(buyer, "POST", "/api/v1/orders/checkout", body);
  REQUIRE(ok.status == 201);
  CHECK(ok.json()["data"]["shipping_address_id"] == static_cast<Json::Int64>(mine));
  CHECK(ok.json()["data"]["currency"] == "EUR");
}

TEST_CASE("another user's order is 404 and pages of orders chain newest first", "[e2e][orders]") {
  const Session owner = test_support::new_user_session();
  const Session other = test_support::new_user_session();
  const int64_t variant = catalogue_variant("BOOK-PYFLASK-001-EBK")["id"].asInt64();
  std::vector<Json::Value> orders;
  for (int i = 0; i < 3; ++i) orders.push_back(place_order(owner, variant, 1));

  check_error(api(other, "GET", order_path(orders[0])), 404, "NOT_FOUND");
  check_error(api(other, "POST", order_path(orders[0], "pay"), payment("x")), 404, "NOT_FOUND");
  check_error(api(other, "POST", order_path(orders[0], "cancel")), 404, "NOT_FOUND");
  check_error(api(owner, "GET", "/api/v1/orders/999999999"), 404, "NOT_FOUND");
  check_error(api(owner, "GET", "/api/v1/orders?limit=0"), 400, "VALIDATION_ERROR");
  CHECK(api(other, "GET", "/api/v1/orders").json()["data"]["items"].empty());

  const Json::Value first = api(owner, "GET", "/api/v1/orders?limit=2").json()["data"];
  REQUIRE(first["items"].size() == 2);
  CHECK(first["items"][0]["order_id"] == orders[2]["order_id"]);
  CHECK(first["items"][1]["order_id"] == orders[1]["order_id"]);
  CHECK(first["pagination"]["has_more"] == true);
  const Json::Value second =
      api(owner, "GET", "/api/v1/orders?limit=2&after=" + first["pagination"]["cursor"].asString())
          .json()["data"];
  REQUIRE(second["items"].size() == 1);
  CHECK(second["items"][0]["order_id"] == orders[0]["order_id"]);
  CHECK(second["pagination"]["has_more"] == false);
  CHECK(second["pagination"]["cursor"].isNull());
}
