// The cart service against real PostgreSQL: created on first use, the guarded
// upsert (merging, the 99 cap and the stock check, also under concurrency),
// and other users' lines.
#include "workers/services/cart_service.h"

#include <catch2/catch.hpp>

#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "tests/support/invariants.h"
#include "tests/support/parallel_calls.h"

namespace {

namespace pg = common::pg;
using common::ErrorCode;
using test_support::make_product;
using test_support::make_stocked_variant;
using test_support::make_user;
using test_support::migrated_connection;
using test_support::outcome_of;
using test_support::run_concurrently;
using test_support::run_sql;
using test_support::thread_connections;
using test_support::truncate_all;

}  // namespace

TEST_CASE("a cart is created empty on first use and then kept", "[integration][cart]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const Json::Value first = services::get_cart(db, user);
  CHECK(first["user_id"] == static_cast<Json::Int64>(user));
  CHECK(first["items"].empty());
  CHECK(first["is_empty"] == true);
  CHECK(first["total_cents"] == 0);
  CHECK(services::get_cart(db, user)["cart_id"] == first["cart_id"]);
  CHECK(run_sql(db, "SELECT count(*) FROM carts").int64(0, 0) == 1);
}

TEST_CASE("adding to a line adds up and totals use the current prices", "[integration][cart]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t product = make_product(db, {.title = "Blue Mug"});
  const int64_t mug = make_stocked_variant(db, product, {.price_cents = 999, .available = 10});
  const int64_t cup = make_stocked_variant(db, product, {.price_cents = 250, .available = 10});

  services::add_item(db, user, {mug, 2});
  services::add_item(db, user, {cup, 1});
  const Json::Value cart = services::add_item(db, user, {mug, 3});
  REQUIRE(cart["items"].size() == 2);
  CHECK(cart["items"][0]["variant_id"] == static_cast<Json::Int64>(mug));
  CHECK(cart["items"][0]["quantity"] == 5);
  CHECK(cart["items"][0]["line_total_cents"] == 4995);
  CHECK(cart["items"][0]["product_title"] == "Blue Mug");
  CHECK(cart["total_items"] == 2);
  CHECK(cart["total_quantity"] == 6);
  CHECK(cart["total_cents"] == 4995 + 250);
  CHECK(cart["is_empty"] == false);

  run_sql(db, "UPDATE product_variants SET price_cents = 1000 WHERE id = " + std::to_string(mug));
  CHECK(services::get_cart(db, user)["total_cents"] == 5000 + 250);
}

TEST_CASE("adding refuses unknown variants, lines over 99 and lines over the stock",
          "[integration][cart]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t product = make_product(db);
  const int64_t plenty = make_stocked_variant(db, product, {.available = 500});
  const int64_t few = make_stocked_variant(db, product, {.available = 3});

  CHECK(outcome_of([&] {
          services::add_item(db, user, {999999, 1});
        }).code == ErrorCode::kNotFound);

  services::add_item(db, user, {plenty, 98});
  const auto over_cap = outcome_of([&] { services::add_item(db, user, {plenty, 2}); });
  CHECK(over_cap.code == ErrorCode::kValidationError);
  CHECK(over_cap.details.isMember("quantity"));

  services::add_item(db, user, {few, 2});
  const auto short_stock = outcome_of([&] { services::add_item(db, user, {few, 2}); });
  CHECK(short_stock.code == ErrorCode::kInsufficientStock);
  CHECK(short_stock.details[std::to_string(few)] == 3);
  const auto too_many = outcome_of([&] { services::add_item(db, user, {few, 4}); });
  CHECK(too_many.code == ErrorCode::kInsufficientStock);

  // Nothing of the refused adds was written.
  const Json::Value cart = services::get_cart(db, user);
  CHECK(cart["items"][0]["quantity"] == 98);
  CHECK(cart["items"][1]["quantity"] == 2);
}

TEST_CASE("a line's quantity can be set, lowered below the stock, and removed",
          "[integration][cart]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t product = make_product(db);
  const int64_t variant = make_stocked_variant(db, product, {.available = 5});
  const int64_t line =
      services::add_item(db, user, {variant, 4})["items"][0]["cart_item_id"].asInt64();

  CHECK(services::update_item(db, user, line, 5)["items"][0]["quantity"] == 5);
  const auto over = outcome_of([&] { services::update_item(db, user, line, 6); });
  CHECK(over.code == ErrorCode::kInsufficientStock);
  CHECK(over.details[std::to_string(variant)] == 5);

  // The stock fell below the line: lowering is still allowed, raising is not.
  run_sql(db, "UPDATE inventory SET available = 2 WHERE variant_id = " + std::to_string(variant));
  CHECK(services::update_item(db, user, line, 4)["items"][0]["quantity"] == 4);
  CHECK(outcome_of([&] { services::update_item(db, user, line, 5); }).code ==
        ErrorCode::kInsufficientStock);

  const Json::Value emptied = services::update_item(db, user, line, 0);
  CHECK(emptied["items"].empty());
  CHECK(emptied["is_empty"] == true);
  CHECK(outcome_of([&] { services::remove_item(db, user, line); }).code == ErrorCode::kNotFound);
}

TEST_CASE("another user's cart line is not found for changes or removal", "[integration][cart]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t alice = make_user(db);
  const int64_t mallory = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db));
  const int64_t line =
      services::add_item(db, alice, {variant, 1})["items"][0]["cart_item_id"].asInt64();

  CHECK(outcome_of([&] { services::update_item(db, mallory, line, 3); }).code ==
        ErrorCode::kNotFound);
  CHECK(outcome_of([&] { services::update_item(db, mallory, line, 0); }).code ==
        ErrorCode::kNotFound);
  CHECK(outcome_of([&] { services::remove_item(db, mallory, line); }).code == ErrorCode::kNotFound);
  CHECK(services::get_cart(db, alice)["items"][0]["quantity"] == 1);
  CHECK(services::get_cart(db, mallory)["items"].empty());
}

TEST_CASE("concurrent adds to one line lose nothing", "[integration][cart][concurrency]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db), {.available = 1000});
  constexpr int kThreads = 16;
  auto conns = thread_connections(kThreads);

  const auto outcomes = run_concurrently(kThreads, [&](int i) {
    services::add_item(*conns[static_cast<size_t>(i)], user, {variant, 3});
  });
  for (const auto& o : outcomes) CHECK(o.ok);
  const Json::Value cart = services::get_cart(db, user);
  REQUIRE(cart["items"].size() == 1);
  CHECK(cart["items"][0]["quantity"] == 3 * kThreads);
  test_support::require_stock_invariants(db);
}

TEST_CASE("concurrent adds stop exactly at the 99 cap and at the stock",
          "[integration][cart][concurrency]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t product = make_product(db);
  const int64_t plenty = make_stocked_variant(db, product, {.available = 1000});
  const int64_t scarce = make_stocked_variant(db, product, {.available = 7});
  constexpr int kThreads = 20;
  auto conns = thread_connections(kThreads * 2);

  // 20 x 5 units of `plenty`: 19 fit under 99 (95 units), one is refused.
  // 20 x 1 unit of `scarce`: 7 fit the stock, 13 are refused.
  const auto outcomes = run_concurrently(kThreads * 2, [&](int i) {
    pg::Connection& conn = *conns[static_cast<size_t>(i)];
    if (i < kThreads) {
      services::add_item(conn, user, {plenty, 5});
    } else {
      services::add_item(conn, user, {scarce, 1});
    }
  });
  int plenty_ok = 0, plenty_capped = 0, scarce_ok = 0, scarce_short = 0;
  for (int i = 0; i < kThreads * 2; ++i) {
    const auto& o = outcomes[static_cast<size_t>(i)];
    INFO(o.error);
    CHECK((o.ok || o.client_error()));
    if (i < kThreads) {
      plenty_ok += o.ok;
      plenty_capped += o.code == ErrorCode::kValidationError;
    } else {
      scarce_ok += o.ok;
      scarce_short += o.code == ErrorCode::kInsufficientStock;
    }
  }
  CHECK(plenty_ok == 19);
  CHECK(plenty_capped == 1);
  CHECK(scarce_ok == 7);
  CHECK(scarce_short == 13);
  const Json::Value cart = services::get_cart(db, user);
  REQUIRE(cart["items"].size() == 2);
  for (const auto& item : cart["items"]) {
    CHECK(item["quantity"] == (item["variant_id"] == static_cast<Json::Int64>(plenty) ? 95 : 7));
  }
  test_support::require_stock_invariants(db);
}
