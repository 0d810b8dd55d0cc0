// Checkout against real PostgreSQL: the one transaction (stock, order, items,
// ledger, event, emptied cart), failures that leave nothing behind,
// idempotency keys, and races between buyers.
#include "workers/services/checkout_service.h"

#include <catch2/catch.hpp>
#include <set>

#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "tests/support/invariants.h"
#include "tests/support/parallel_calls.h"
#include "workers/services/address_service.h"
#include "workers/services/cart_service.h"

namespace {

namespace pg = common::pg;
using common::ErrorCode;
using services::CheckoutRequest;
using services::IdempotencyKey;
using test_support::make_product;
using test_support::make_stocked_variant;
using test_support::make_user;
using test_support::migrated_connection;
using test_support::outcome_of;
using test_support::require_stock_invariants;
using test_support::run_concurrently;
using test_support::run_sql;
using test_support::Stock;
using test_support::stock_of;
using test_support::thread_connections;
using test_support::truncate_all;

int64_t count_of(pg::Connection& db, const std::string& table) {
  return run_sql(db, "SELECT count(*) FROM " + table).int64(0, 0);
}

// Everything a checkout writes, to compare before and after a failed one.
std::string written_rows(pg::Connection& db) {
  return std::to_string(count_of(db, "orders")) + "/" +
         std::to_string(count_of(db, "order_items")) + "/" +
         std::to_string(count_of(db, "order_events")) + "/" +
         std::to_string(count_of(db, "inventory_movements")) + "/" +
         std::to_string(count_of(db, "idempotency_keys"));
}

services::CheckoutAnswer checkout(pg::Connection& db, int64_t user,
                                  const std::optional<IdempotencyKey>& key = std::nullopt,
                                  const CheckoutRequest& request = {}) {
  return services::checkout(db, user, request, key, nullptr);
}

IdempotencyKey key_for(const std::string& key, const Json::Value& body) {
  return {key, services::checkout_request_hash(body)};
}

}  // namespace

TEST_CASE("checkout turns the cart into an order and moves the units to reserved",
          "[integration][checkout]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t product = make_product(db, {.sku = "MUG", .title = "Blue Mug"});
  const int64_t mug = make_stocked_variant(
      db, product,
      {.sku = "MUG-B", .price_cents = 2999, .attributes_json = R"({"c":"blue"})", .available = 10});
  const int64_t cup = make_stocked_variant(db, product, {.price_cents = 500, .available = 4});
  services::add_item(db, user, {cup, 4});
  services::add_item(db, user, {mug, 3});

  const auto answer = checkout(db, user);
  CHECK_FALSE(answer.replayed);  // created now: the handler answers 201 without the replay header
  const Json::Value& order = answer.order;
  CHECK(order["status"] == "created");
  CHECK(order["total_cents"] == 3 * 2999 + 4 * 500);
  CHECK(order["currency"] == "USD");
  CHECK(order["item_count"] == 2);
  CHECK(order["shipping_address_id"].isNull());
  REQUIRE(order["items"].size() == 2);
  const Json::Value& first = order["items"][0];  // in the cart's order
  CHECK(first["variant_id"] == static_cast<Json::Int64>(cup));
  CHECK(first["subtotal_cents"] == 2000);
  const Json::Value& second = order["items"][1];
  CHECK(second["variant_sku"] == "MUG-B");
  CHECK(second["product_sku"] == "MUG");
  CHECK(second["product_title"] == "Blue Mug");
  CHECK(second["attributes"]["c"] == "blue");
  CHECK(second["unit_price_cents"] == 2999);
  CHECK(second["quantity"] == 3);
  CHECK(second["subtotal_cents"] == 8997);
  REQUIRE(order["events"].size() == 1);
  CHECK(order["events"][0]["from_status"].isNull());
  CHECK(order["events"][0]["to_status"] == "created");
  CHECK(order["events"][0]["actor"] == "customer");

  CHECK(stock_of(db, mug) == Stock{7, 3, 0});
  CHECK(stock_of(db, cup) == Stock{0, 4, 0});
  CHECK(services::get_cart(db, user)["is_empty"] == true);
  CHECK(run_sql(db,
                "SELECT count(*) FROM inventory_movements WHERE kind = 'reserve' AND order_id = " +
                    order["order_id"].asString())
            .int64(0, 0) == 2);

  // The order keeps the price it was sold at.
  run_sql(db, "UPDATE product_variants SET price_cents = 1 WHERE id = " + std::to_string(mug));
  CHECK(run_sql(db, "SELECT total_cents FROM orders").int64(0, 0) == 3 * 2999 + 4 * 500);
  require_stock_invariants(db);
}

TEST_CASE("checkout of an empty or never used cart is CART_EMPTY", "[integration][checkout]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  CHECK(outcome_of([&] { checkout(db, user); }).code == ErrorCode::kCartEmpty);
  services::get_cart(db, user);
  CHECK(outcome_of([&] { checkout(db, user); }).code == ErrorCode::kCartEmpty);
  CHECK(count_of(db, "orders") == 0);
}

TEST_CASE("checkout releases nothing when lines are short and names every short line",
          "[integration][checkout]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t buyer = make_user(db);
  const int64_t rival = make_user(db);
  const int64_t product = make_product(db);
  const int64_t a = make_stocked_variant(db, product, {.available = 3});
  const int64_t b = make_stocked_variant(db, product, {.available = 5});
  const int64_t c = make_stocked_variant(db, product, {.available = 9});
  services::add_item(db, buyer, {a, 3});
  services::add_item(db, buyer, {b, 5});
  services::add_item(db, buyer, {c, 2});
  services::add_item(db, rival, {a, 2});
  services::add_item(db, rival, {b, 1});
  checkout(db, rival);  // leaves a: 1, b: 4

  const Json::Value cart_before = services::get_cart(db, buyer);
  const std::string rows_before = written_rows(db);
  const Stock a_before = stock_of(db, a), b_before = stock_of(db, b), c_before = stock_of(db, c);

  const auto failed =
      outcome_of([&] { checkout(db, buyer, key_for("k-short", Json::objectValue)); });
  CHECK(failed.code == ErrorCode::kInsufficientStock);
  CHECK(failed.details.size() == 2);
  CHECK(failed.details[std::to_string(a)] == 1);
  CHECK(failed.details[std::to_string(b)] == 4);

  const Json::Value cart_after = services::get_cart(db, buyer);
  CHECK(cart_after["items"] == cart_before["items"]);
  CHECK(written_rows(db) == rows_before);  // no order, item, event, ledger row or key
  CHECK(stock_of(db, a) == a_before);
  CHECK(stock_of(db, b) == b_before);
  CHECK(stock_of(db, c) == c_before);
  require_stock_invariants(db);
}

TEST_CASE("checkout takes the caller's addresses and refuses anyone else's",
          "[integration][checkout][addresses]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t other = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db));
  const repo::NewAddress fields{"1 Main St", std::nullopt, "Berlin", std::nullopt, "DE", "10115"};
  const int64_t mine = services::create_address(db, user, fields)["id"].asInt64();
  const int64_t theirs = services::create_address(db, other, fields)["id"].asInt64();
  services::add_item(db, user, {variant, 1});

  const auto refused = outcome_of([&] {
    checkout(db, user, std::nullopt, {.shipping_address_id = mine, .billing_address_id = theirs});
  });
  CHECK(refused.code == ErrorCode::kValidationError);
  CHECK(refused.details.isMember("billing_address_id"));
  CHECK_FALSE(refused.details.isMember("shipping_address_id"));
  CHECK(outcome_of([&] {
          checkout(db, user, std::nullopt, {.shipping_address_id = 99999999});
        }).code == ErrorCode::kValidationError);
  CHECK(count_of(db, "orders") == 0);

  const auto answer =
      checkout(db, user, std::nullopt,
               {.shipping_address_id = mine, .billing_address_id = mine, .currency = "EUR"});
  CHECK(answer.order["shipping_address_id"] == static_cast<Json::Int64>(mine));
  CHECK(answer.order["billing_address_id"] == static_cast<Json::Int64>(mine));
  CHECK(answer.order["currency"] == "EUR");

  // Removing an address an order used keeps it for the order.
  services::delete_address(db, user, mine);
  CHECK(services::list_addresses(db, user)["items"].empty());
  CHECK(run_sql(db, "SELECT shipping_address_id FROM orders").int64(0, 0) == mine);
  CHECK(outcome_of([&] { services::delete_address(db, user, mine); }).code == ErrorCode::kNotFound);
}

TEST_CASE("a retry with the same Idempotency-Key and body replays the first answer",
          "[integration][checkout][idempotency]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db), {.available = 10});
  services::add_item(db, user, {variant, 2});
  const auto key = key_for("order-1", Json::objectValue);

  const auto first = checkout(db, user, key);
  CHECK_FALSE(first.replayed);
  // The cart is filled again: a replay must not buy it.
  services::add_item(db, user, {variant, 1});
  const auto again = checkout(db, user, key);
  CHECK(again.replayed);
  CHECK(again.order == first.order);
  CHECK(count_of(db, "orders") == 1);
  CHECK(services::get_cart(db, user)["total_quantity"] == 1);

  Json::Value other_body(Json::objectValue);
  other_body["currency"] = "EUR";
  const auto reused = outcome_of([&] { checkout(db, user, key_for("order-1", other_body)); });
  CHECK(reused.code == ErrorCode::kIdempotencyKeyReused);

  // Keys are per user: another user's "order-1" is a key of its own.
  const int64_t other = make_user(db);
  services::add_item(db, other, {variant, 1});
  CHECK_FALSE(checkout(db, other, key).replayed);
  CHECK(count_of(db, "orders") == 2);
  require_stock_invariants(db);
}

TEST_CASE("an expired Idempotency-Key is taken over by a new request",
          "[integration][checkout][idempotency]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db), {.available = 10});
  const auto key = key_for("old", Json::objectValue);
  services::add_item(db, user, {variant, 1});
  const auto first = checkout(db, user, key);
  run_sql(db, "UPDATE idempotency_keys SET expires_at = now() - interval '1 second'");

  services::add_item(db, user, {variant, 1});
  const auto second = checkout(db, user, key);
  CHECK_FALSE(second.replayed);
  CHECK(second.order["order_id"] != first.order["order_id"]);
  CHECK(run_sql(db,
                "SELECT count(*) FROM idempotency_keys WHERE expires_at > now() + "
                "interval '23 hours'")
            .int64(0, 0) == 1);
}

TEST_CASE("concurrent submits with one Idempotency-Key make one order",
          "[integration][checkout][idempotency][concurrency]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db), {.available = 10});
  services::add_item(db, user, {variant, 2});
  constexpr int kThreads = 8;
  auto conns = thread_connections(kThreads);
  const auto key = key_for("double-click", Json::objectValue);

  std::vector<services::CheckoutAnswer> answers(kThreads);
  const auto outcomes = run_concurrently(kThreads, [&](int i) {
    answers[static_cast<size_t>(i)] = checkout(*conns[static_cast<size_t>(i)], user, key);
  });
  std::set<int64_t> order_ids;
  int fresh = 0;
  for (int i = 0; i < kThreads; ++i) {
    INFO(outcomes[static_cast<size_t>(i)].error);
    REQUIRE(outcomes[static_cast<size_t>(i)].ok);
    const auto& a = answers[static_cast<size_t>(i)];
    CHECK(a.order["order_id"].isIntegral());
    order_ids.insert(a.order["order_id"].asInt64());
    fresh += !a.replayed;
  }
  CHECK(order_ids.size() == 1);
  CHECK(fresh == 1);
  CHECK(count_of(db, "orders") == 1);
  CHECK(stock_of(db, variant) == Stock{8, 2, 0});
  require_stock_invariants(db);
}

TEST_CASE("N concurrent buyers for fewer units: as many orders as units, the rest 409",
          "[integration][checkout][concurrency]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t product = make_product(db);
  constexpr int kBuyers = 24;
  constexpr int kUnits = 5;
  const int64_t scarce = make_stocked_variant(db, product, {.available = kUnits});
  const int64_t plenty = make_stocked_variant(db, product, {.available = 1000});
  std::vector<int64_t> buyers;
  for (int i = 0; i < kBuyers; ++i) {
    const int64_t buyer = make_user(db);
    // Half put the lines in the other order: the locks are still taken by variant id.
    if (i % 2 == 0) {
      services::add_item(db, buyer, {scarce, 1});
      services::add_item(db, buyer, {plenty, 2});
    } else {
      services::add_item(db, buyer, {plenty, 2});
      services::add_item(db, buyer, {scarce, 1});
    }
    buyers.push_back(buyer);
  }
  auto conns = thread_connections(kBuyers);

  const auto outcomes = run_concurrently(kBuyers, [&](int i) {
    const auto answer = checkout(*conns[static_cast<size_t>(i)], buyers[static_cast<size_t>(i)]);
    if (answer.replayed) throw std::runtime_error("replayed without an idempotency key");
  });
  int ok = 0, short_stock = 0;
  for (const auto& o : outcomes) {
    INFO(o.error);
    CHECK((o.ok || o.code == ErrorCode::kInsufficientStock));
    ok += o.ok;
    if (o.code == ErrorCode::kInsufficientStock) {
      ++short_stock;
      CHECK(o.details.size() == 1);
      CHECK(o.details[std::to_string(scarce)] == 0);
    }
  }
  CHECK(ok == kUnits);
  CHECK(short_stock == kBuyers - kUnits);
  CHECK(count_of(db, "orders") == kUnits);
  CHECK(stock_of(db, scarce) == Stock{0, kUnits, 0});
  CHECK(stock_of(db, plenty) == Stock{1000 - 2 * kUnits, 2 * kUnits, 0});
  require_stock_invariants(db);
}
