// Catalogue writes of the admin routes (services/admin_catalog_service.h)
// against real PostgreSQL: resources as the public GET shows them, the stock
// ledger, constraint violations as API errors, and nothing written on failure.
#include <catch2/catch.hpp>
#include <string>

#include "common/json.h"
#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "tests/support/invariants.h"
#include "tests/support/parallel_calls.h"
#include "workers/services/admin_catalog_service.h"
#include "workers/services/catalog_service.h"

namespace {

namespace pg = common::pg;
using common::ErrorCode;
using test_support::make_category;
using test_support::make_product;
using test_support::make_stocked_variant;
using test_support::make_user;
using test_support::migrated_connection;
using test_support::outcome_of;
using test_support::run_concurrently;
using test_support::run_sql;
using test_support::thread_connections;
using test_support::truncate_all;

Json::Value body(const std::string& json) { return common::json::parse_object(json); }

int64_t count(pg::Connection& db, const std::string& sql) {
  return run_sql(db, "SELECT count(*) FROM " + sql).int64(0, 0);
}

}  // namespace

TEST_CASE("categories: created as {id, name}, names unique", "[integration][admin]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const Json::Value c = services::create_category(db, {"Garden"}, nullptr);
  CHECK(c["id"].asInt64() > 0);
  CHECK(c["name"] == "Garden");
  CHECK(services::list_categories(db)["items"][0] == c);

  const auto dup = outcome_of([&] { services::create_category(db, {"Garden"}, nullptr); });
  CHECK(dup.code == ErrorCode::kConflict);
  CHECK(dup.details["name"] == "is already taken");
  CHECK(count(db, "categories") == 1);
}

TEST_CASE("products: created and changed as the public detail shows them", "[integration][admin]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t garden = make_category(db, {.name = "Garden"});
  const int64_t tools = make_category(db, {.name = "Tools"});
  const Json::Value created = services::create_product(
      db,
      services::parse_new_product(body(
          R"({"sku": "HOSE-1", "title": "Garden Hose", "description": "20 m", "category_id": )" +
          std::to_string(garden) + "}")),
      nullptr);
  const int64_t id = created["id"].asInt64();
  CHECK(created == services::get_product(db, id));
  CHECK(created["sku"] == "HOSE-1");
  CHECK(created["variants"].empty());
  CHECK(created["in_stock"] == false);

  const Json::Value changed = services::update_product(
      db, id,
      services::parse_product_changes(body(R"({"title": "Garden Hose 25 m", "description": null,
                                               "category_id": )" +
                                           std::to_string(tools) + "}")),
      nullptr);
  CHECK(changed["title"] == "Garden Hose 25 m");
  CHECK(changed["description"].isNull());
  CHECK(changed["category_id"] == static_cast<Json::Int64>(tools));
  CHECK(changed["sku"] == "HOSE-1");
  CHECK(changed == services::get_product(db, id));

  const Json::Value uncategorised = services::update_product(
      db, id, services::parse_product_changes(body(R"({"category_id": null})")), nullptr);
  CHECK(uncategorised["category_id"].isNull());
  CHECK(uncategorised["title"] == "Garden Hose 25 m");
}

TEST_CASE("product errors: taken sku, unknown category, unknown id, nothing written",
          "[integration][admin]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t existing = make_product(db, {.sku = "TAKEN-1", .title = "Original"});

  const auto taken = outcome_of([&] {
    services::create_product(db, {"TAKEN-1", "Copy", {}, {}}, nullptr);
  });
  CHECK(taken.code == ErrorCode::kConflict);
  CHECK(taken.details.isMember("sku"));

  const auto no_category = outcome_of([&] {
    services::create_product(db, {"NEW-1", "New", {}, 999999}, nullptr);
  });
  CHECK(no_category.code == ErrorCode::kValidationError);
  CHECK(no_category.details.isMember("category_id"));
  CHECK(count(db, "products") == 1);

  repo::ProductChanges bad_category;
  bad_category.set_category = true;
  bad_category.category_id = 999999;
  bad_category.set_title = true;
  bad_category.title = "Renamed";
  CHECK(outcome_of([&] { services::update_product(db, existing, bad_category, nullptr); }).code ==
        ErrorCode::kValidationError);
  CHECK(services::get_product(db, existing)["title"] == "Original");

  repo::ProductChanges rename;
  rename.set_title = true;
  rename.title = "Renamed";
  CHECK(outcome_of([&] { services::update_product(db, existing + 1000, rename, nullptr); }).code ==
        ErrorCode::kNotFound);
}

TEST_CASE("variants: created with stock and an 'initial' ledger row by the admin",
          "[integration][admin]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t admin = make_user(db);
  const int64_t product = make_product(db, {.title = "Mug"});
  const Json::Value v = services::create_variant(
      db, product,
      services::parse_new_variant(body(
          R"({"sku": "MUG-RED", "price_cents": 1299, "attributes": {"color": "red", "ml": 300}, "stock": 12})")),
      admin, nullptr);
  const int64_t id = v["id"].asInt64();
  CHECK(v["sku"] == "MUG-RED");
  CHECK(v["price_cents"] == 1299);
  CHECK(v["attributes"]["color"] == "red");
  CHECK(v["attributes"]["ml"] == 300);
  CHECK(v["available"] == 12);
  CHECK(v["reserved"] == 0);
  CHECK(v["in_stock"] == true);

  const Json::Value detail = services::get_product(db, product);
  REQUIRE(detail["variants"].size() == 1);
  CHECK(detail["variants"][0] == v);
  CHECK(detail["total_available"] == 12);

  const pg::Result ledger =
      run_sql(db,
              "SELECT kind, available_delta, reserved_delta, actor_user_id, order_id IS NULL "
              "FROM inventory_movements WHERE variant_id = " +
                  std::to_string(id));
  REQUIRE(ledger.rows() == 1);
  CHECK(ledger.str(0, 0) == "initial");
  CHECK(ledger.int64(0, 1) == 12);
  CHECK(ledger.int64(0, 2) == 0);
  CHECK(ledger.int64(0, 3) == admin);
  CHECK(ledger.boolean(0, 4));

  const Json::Value empty =
      services::create_variant(db, product, {"MUG-BLUE", 1299, "{}", 0}, admin, nullptr);
  CHECK(empty["available"] == 0);
  CHECK(empty["in_stock"] == false);
  test_support::require_stock_invariants(db);
}

TEST_CASE("variant errors: taken sku, unknown product, nothing written", "[integration][admin]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t admin = make_user(db);
  const int64_t product = make_product(db);
  make_stocked_variant(db, product, {.sku = "TAKEN-V"});
  const int64_t variants = count(db, "product_variants");
  const int64_t movements = count(db, "inventory_movements");

  const auto taken = outcome_of([&] {
    services::create_variant(db, product, {"TAKEN-V", 100, "{}", 5}, admin, nullptr);
  });
  CHECK(taken.code == ErrorCode::kConflict);
  CHECK(taken.details.isMember("sku"));
  CHECK(outcome_of([&] {
          services::create_variant(db, product + 1000, {"NEW-V", 100, "{}", 5}, admin, nullptr);
        }).code == ErrorCode::kNotFound);
  CHECK(count(db, "product_variants") == variants);
  CHECK(count(db, "inventory") == variants);
  CHECK(count(db, "inventory_movements") == movements);
}

TEST_CASE("variant price and attributes change, stock does not", "[integration][admin]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t product = make_product(db);
  const int64_t id = make_stocked_variant(
      db, product, {.price_cents = 500, .attributes_json = R"({"size": "S"})", .available = 4});
  const Json::Value priced = services::update_variant(
      db, id, services::parse_variant_changes(body(R"({"price_cents": 450})")), nullptr);
  CHECK(priced["price_cents"] == 450);
  CHECK(priced["attributes"]["size"] == "S");
  CHECK(priced["available"] == 4);
  const Json::Value relabelled = services::update_variant(
      db, id, services::parse_variant_changes(body(R"({"attributes": {"size": "M"}})")), nullptr);
  CHECK(relabelled["attributes"] == body(R"({"size": "M"})"));
  CHECK(relabelled["price_cents"] == 450);
  CHECK(services::get_product(db, product)["variants"][0] == relabelled);
  CHECK(
      outcome_of([&] {
        services::update_variant(db, id + 1000, {std::optional<int64_t>(1), std::nullopt}, nullptr);
      }).code == ErrorCode::kNotFound);
}

TEST_CASE("stock adjustments: restock and write-off, each in the ledger", "[integration][admin]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t admin = make_user(db);
  const int64_t id = make_stocked_variant(db, make_product(db), {.available = 5});

  const Json::Value restocked = services::adjust_stock(db, id, {20, "delivery 42"}, admin, nullptr);
  CHECK(restocked["available"] == 25);
  CHECK(restocked["reserved"] == 0);
  const Json::Value written_off =
      services::adjust_stock(db, id, {-25, std::nullopt}, admin, nullptr);
  CHECK(written_off["available"] == 0);
  CHECK(written_off["in_stock"] == false);

  const pg::Result ledger =
      run_sql(db,
              "SELECT kind, available_delta, reason, actor_user_id FROM inventory_movements "
              "WHERE variant_id = " +
                  std::to_string(id) + " AND kind <> 'initial' ORDER BY id");
  REQUIRE(ledger.rows() == 2);
  CHECK(ledger.str(0, 0) == "restock");
  CHECK(ledger.int64(0, 1) == 20);
  CHECK(ledger.str(0, 2) == "delivery 42");
  CHECK(ledger.int64(0, 3) == admin);
  CHECK(ledger.str(1, 0) == "write_off");
  CHECK(ledger.int64(1, 1) == -25);
  CHECK(ledger.is_null(1, 2));
  test_support::require_stock_invariants(db);
}

TEST_CASE("a write-off below zero is INSUFFICIENT_STOCK and changes nothing",
          "[integration][admin]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t admin = make_user(db);
  const int64_t id = make_stocked_variant(db, make_product(db), {.available = 3});
  const int64_t movements = count(db, "inventory_movements");

  const auto short_stock = outcome_of([&] {
    services::adjust_stock(db, id, {-4, "lost"}, admin, nullptr);
  });
  CHECK(short_stock.code == ErrorCode::kInsufficientStock);
  CHECK(short_stock.details[std::to_string(id)] == 3);
  CHECK(test_support::stock_of(db, id).available == 3);
  CHECK(count(db, "inventory_movements") == movements);

  const auto too_much = outcome_of([&] {
    services::adjust_stock(db, id, {2147483647, std::nullopt}, admin, nullptr);
  });
  CHECK(too_much.code == ErrorCode::kValidationError);
  CHECK(too_much.details.isMember("delta"));
  CHECK(outcome_of([&] {
          services::adjust_stock(db, id + 1000, {1, std::nullopt}, admin, nullptr);
        }).code == ErrorCode::kNotFound);
  CHECK(count(db, "inventory_movements") == movements);
}

TEST_CASE("concurrent write-offs never take available below zero", "[integration][admin]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t admin = make_user(db);
  const int64_t id = make_stocked_variant(db, make_product(db), {.available = 5});
  constexpr int kThreads = 10;
  auto connections = thread_connections(kThreads);
  const auto outcomes = run_concurrently(kThreads, [&](int i) {
    services::adjust_stock(*connections[i], id, {-1, "shrinkage"}, admin, nullptr);
  });
  int ok = 0;
  for (const auto& o : outcomes) {
    INFO(o.error);
    if (o.ok) {
      ++ok;
    } else {
      CHECK(o.code == ErrorCode::kInsufficientStock);
    }
  }
  CHECK(ok == 5);
  CHECK(test_support::stock_of(db, id).available == 0);
  CHECK(count(db, "inventory_movements WHERE kind = 'write_off'") == 5);
  test_support::require_stock_invariants(db);
}
