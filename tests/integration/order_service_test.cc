// Orders against real PostgreSQL: the list and detail of one's own orders,
// the state machine with its stock movements, and transitions raced against
// each other (a double cancel restocks once).
#include "workers/services/order_service.h"

#include <catch2/catch.hpp>

#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "tests/support/invariants.h"
#include "tests/support/parallel_calls.h"
#include "workers/services/cart_service.h"
#include "workers/services/checkout_service.h"

namespace {

namespace pg = common::pg;
using common::ErrorCode;
using services::OrderAction;
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

// A user's order of `quantity` units of `variant`.
int64_t place_order(pg::Connection& db, int64_t user, int64_t variant, int64_t quantity) {
  services::add_item(db, user, {variant, quantity});
  return services::checkout(db, user, {}, std::nullopt, nullptr).order["order_id"].asInt64();
}

Json::Value act(pg::Connection& db, OrderAction action, int64_t order, int64_t actor) {
  return services::apply_action(
      db,
      {action, order, actor,
       action == OrderAction::kPay ? std::optional<std::string>("pay-ref-1") : std::nullopt},
      nullptr);
}

}  // namespace

TEST_CASE("orders are listed newest first in keyset pages of the caller's own",
          "[integration][orders]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t other = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db), {.available = 100});
  std::vector<int64_t> mine;
  for (int i = 0; i < 5; ++i) {
    mine.push_back(place_order(db, user, variant, 1));
    place_order(db, other, variant, 1);
  }

  std::vector<int64_t> seen;
  std::optional<int64_t> after;
  for (int page = 0; page < 10; ++page) {
    const Json::Value data = services::list_orders(db, user, {after, 2});
    for (const auto& item : data["items"]) {
      seen.push_back(item["order_id"].asInt64());
      CHECK(item["item_count"] == 1);
      CHECK(item["status"] == "created");
    }
    if (!data["pagination"]["has_more"].asBool()) {
      CHECK(data["pagination"]["cursor"].isNull());
      break;
    }
    after = data["pagination"]["cursor"].asInt64();
  }
  CHECK(seen == std::vector<int64_t>(mine.rbegin(), mine.rend()));
}

TEST_CASE("another user's order is not found, for reading and for owner actions",
          "[integration][orders]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t owner = make_user(db);
  const int64_t other = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db));
  const int64_t order = place_order(db, owner, variant, 1);

  CHECK(services::get_order(db, owner, order)["order_id"] == static_cast<Json::Int64>(order));
  CHECK(outcome_of([&] { services::get_order(db, other, order); }).code == ErrorCode::kNotFound);
  CHECK(outcome_of([&] { act(db, OrderAction::kPay, order, other); }).code == ErrorCode::kNotFound);
  CHECK(outcome_of([&] { act(db, OrderAction::kCancel, order, other); }).code ==
        ErrorCode::kNotFound);
  CHECK(outcome_of([&] { services::get_order(db, owner, 999999); }).code == ErrorCode::kNotFound);
  CHECK(services::get_order(db, owner, order)["status"] == "created");
}

TEST_CASE("an order goes created -> paid -> shipped and its units leave stock",
          "[integration][orders]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t admin = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db), {.available = 10});
  const int64_t order = place_order(db, user, variant, 3);
  CHECK(stock_of(db, variant) == Stock{7, 3, 0});

  const Json::Value paid = act(db, OrderAction::kPay, order, user);
  CHECK(paid["status"] == "paid");
  CHECK(paid["payment_reference"] == "pay-ref-1");
  CHECK(stock_of(db, variant) == Stock{7, 3, 0});

  const Json::Value shipped = act(db, OrderAction::kShip, order, admin);
  CHECK(shipped["status"] == "shipped");
  CHECK(stock_of(db, variant) == Stock{7, 0, 3});
  REQUIRE(shipped["events"].size() == 3);
  CHECK(shipped["events"][1]["from_status"] == "created");
  CHECK(shipped["events"][1]["to_status"] == "paid");
  CHECK(shipped["events"][1]["actor"] == "customer");
  CHECK(shipped["events"][2]["to_status"] == "shipped");
  CHECK(shipped["events"][2]["actor"] == "admin");
  CHECK(run_sql(db,
                "SELECT available_delta, reserved_delta FROM inventory_movements "
                "WHERE kind = 'ship'")
            .int64(0, 1) == -3);

  // Nothing leaves "shipped".
  for (const OrderAction action :
       {OrderAction::kPay, OrderAction::kCancel, OrderAction::kShip, OrderAction::kRefund}) {
    const auto refused = outcome_of([&] {
      act(db, action, order,
          action == OrderAction::kPay || action == OrderAction::kCancel ? user : admin);
    });
    CHECK(refused.code == ErrorCode::kInvalidState);
    CHECK(refused.details["status"] == "shipped");
  }
  require_stock_invariants(db);
}

TEST_CASE("cancel and refund put the units back once", "[integration][orders]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t admin = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db), {.available = 10});

  const int64_t cancelled = place_order(db, user, variant, 2);
  CHECK(act(db, OrderAction::kCancel, cancelled, user)["status"] == "cancelled");
  CHECK(stock_of(db, variant) == Stock{10, 0, 0});
  CHECK(outcome_of([&] { act(db, OrderAction::kCancel, cancelled, user); }).code ==
        ErrorCode::kInvalidState);
  CHECK(outcome_of([&] { act(db, OrderAction::kPay, cancelled, user); }).code ==
        ErrorCode::kInvalidState);
  CHECK(stock_of(db, variant) == Stock{10, 0, 0});

  const int64_t refunded = place_order(db, user, variant, 4);
  CHECK(outcome_of([&] { act(db, OrderAction::kRefund, refunded, admin); }).code ==
        ErrorCode::kInvalidState);  // not paid yet
  act(db, OrderAction::kPay, refunded, user);
  CHECK(outcome_of([&] { act(db, OrderAction::kCancel, refunded, user); }).code ==
        ErrorCode::kInvalidState);  // paid orders are refunded, not cancelled
  CHECK(act(db, OrderAction::kRefund, refunded, admin)["status"] == "refunded");
  CHECK(outcome_of([&] { act(db, OrderAction::kRefund, refunded, admin); }).code ==
        ErrorCode::kInvalidState);
  CHECK(stock_of(db, variant) == Stock{10, 0, 0});
  CHECK(
      run_sql(db, "SELECT count(*) FROM inventory_movements WHERE kind = 'release'").int64(0, 0) ==
      2);
  require_stock_invariants(db);
}

TEST_CASE("concurrent cancels of one order restock it exactly once",
          "[integration][orders][concurrency]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t product = make_product(db);
  const int64_t a = make_stocked_variant(db, product, {.available = 10});
  const int64_t b = make_stocked_variant(db, product, {.available = 10});
  services::add_item(db, user, {b, 2});
  const int64_t order = place_order(db, user, a, 3);
  constexpr int kThreads = 8;
  auto conns = thread_connections(kThreads);

  const auto outcomes = run_concurrently(kThreads, [&](int i) {
    act(*conns[static_cast<size_t>(i)], OrderAction::kCancel, order, user);
  });
  int ok = 0;
  for (const auto& o : outcomes) {
    INFO(o.error);
    CHECK((o.ok || o.code == ErrorCode::kInvalidState));
    ok += o.ok;
  }
  CHECK(ok == 1);
  CHECK(stock_of(db, a) == Stock{10, 0, 0});
  CHECK(stock_of(db, b) == Stock{10, 0, 0});
  CHECK(services::get_order(db, user, order)["events"].size() == 2);
  require_stock_invariants(db);
}

TEST_CASE("a refund racing a shipment: exactly one wins and the stock follows it",
          "[integration][orders][concurrency]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = make_user(db);
  const int64_t admin = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db), {.available = 10});
  constexpr int kOrders = 6;
  std::vector<int64_t> orders;
  for (int i = 0; i < kOrders; ++i) {
    orders.push_back(place_order(db, user, variant, 1));
    act(db, OrderAction::kPay, orders.back(), user);
  }
  auto conns = thread_connections(kOrders * 4);

  // Per order: two refunds and two shipments at once.
  const auto outcomes = run_concurrently(kOrders * 4, [&](int i) {
    const auto action = i % 2 == 0 ? OrderAction::kRefund : OrderAction::kShip;
    act(*conns[static_cast<size_t>(i)], action, orders[static_cast<size_t>(i / 4)], admin);
  });
  int ok = 0;
  for (const auto& o : outcomes) {
    INFO(o.error);
    CHECK((o.ok || o.code == ErrorCode::kInvalidState));
    ok += o.ok;
  }
  CHECK(ok == kOrders);
  const pg::Result statuses = run_sql(db,
                                      "SELECT count(*) FILTER (WHERE status = 'refunded'), "
                                      "count(*) FILTER (WHERE status = 'shipped') FROM orders");
  const int64_t refunded = statuses.int64(0, 0), shipped = statuses.int64(0, 1);
  CHECK(refunded + shipped == kOrders);
  CHECK(stock_of(db, variant) == Stock{10 - kOrders + refunded, 0, shipped});
  require_stock_invariants(db);
}
