// Validation of the admin catalogue bodies (services/admin_catalog_service.h), pure.
#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "common/error.h"
#include "common/json.h"
#include "tests/support/parallel_calls.h"
#include "tests/support/validation.h"
#include "workers/services/admin_catalog_service.h"

namespace {

Json::Value body(const std::string& json) { return common::json::parse_object(json); }

// The details of the VALIDATION_ERROR that fn throws.
Json::Value details_of(const std::function<void()>& fn) {
  return test_support::validation_details(fn);
}

}  // namespace

TEST_CASE("category needs a name of 1 to 100 characters", "[unit][admin]") {
  CHECK(services::parse_new_category(body(R"({"name": "Garden"})")).name == "Garden");
  CHECK(details_of([] { services::parse_new_category(body("{}")); }).isMember("name"));
  CHECK(details_of([] { services::parse_new_category(body(R"({"name": ""})")); }).isMember("name"));
  CHECK(details_of([] {
          services::parse_new_category(body(R"({"name": ")" + std::string(101, 'x') + "\"}"));
        }).isMember("name"));
}

TEST_CASE("new product: sku and title required, the rest optional", "[unit][admin]") {
  const auto p = services::parse_new_product(
      body(R"({"sku": "GARDEN-HOSE-1", "title": "Hose", "description": null, "category_id": 3})"));
  CHECK(p.sku == "GARDEN-HOSE-1");
  CHECK(p.title == "Hose");
  CHECK_FALSE(p.description.has_value());
  CHECK(p.category_id == 3);

  const Json::Value d = details_of([] {
    services::parse_new_product(
        body(R"({"sku": "has space", "description": 5, "category_id": "3"})"));
  });
  CHECK(d.isMember("sku"));
  CHECK(d.isMember("title"));
  CHECK(d.isMember("description"));
  CHECK(d.isMember("category_id"));
  CHECK(details_of([] { services::parse_new_product(body(R"({"title": "x"})")); }).isMember("sku"));
  CHECK(details_of([] {
          services::parse_new_product(body(R"({"sku": "A", "title": "x", "category_id": 0})"));
        }).isMember("category_id"));
}

TEST_CASE("product changes: at least one field, null clears description and category",
          "[unit][admin]") {
  const auto c = services::parse_product_changes(body(R"({"description": null})"));
  CHECK_FALSE(c.set_title);
  CHECK(c.set_description);
  CHECK_FALSE(c.description.has_value());
  CHECK_FALSE(c.set_category);

  const auto t = services::parse_product_changes(body(R"({"title": "New", "category_id": 2})"));
  CHECK(t.set_title);
  CHECK(t.title == "New");
  CHECK(t.set_category);
  CHECK(t.category_id == 2);

  CHECK(details_of([] {
          services::parse_product_changes(body(R"({"sku": "X"})"));
        }).isMember("body"));
  CHECK(details_of([] {
          services::parse_product_changes(body(R"({"title": null})"));
        }).isMember("title"));
}

TEST_CASE("new variant: sku and price required, attributes an object, stock >= 0",
          "[unit][admin]") {
  const auto v = services::parse_new_variant(
      body(R"({"sku": "V-1", "price_cents": 1999, "attributes": {"color": "red"}, "stock": 5})"));
  CHECK(v.sku == "V-1");
  CHECK(v.price_cents == 1999);
  CHECK(common::json::parse_trusted(v.attributes_json)["color"] == "red");
  CHECK(v.stock == 5);
  const auto defaults = services::parse_new_variant(body(R"({"sku": "V-2", "price_cents": 0})"));
  CHECK(defaults.attributes_json == "{}");
  CHECK(defaults.stock == 0);

  const Json::Value d = details_of([] {
    services::parse_new_variant(body(R"({"price_cents": 19.99, "attributes": [1], "stock": -1})"));
  });
  CHECK(d.isMember("sku"));
  CHECK(d.isMember("price_cents"));
  CHECK(d.isMember("attributes"));
  CHECK(d.isMember("stock"));
  CHECK(details_of([] {
          services::parse_new_variant(body(R"({"sku": "V", "price_cents": "100"})"));
        }).isMember("price_cents"));
  CHECK(details_of([] {
          services::parse_new_variant(body(R"({"sku": "V", "price_cents": -1})"));
        }).isMember("price_cents"));
  const std::string big =
      R"({"sku": "V", "price_cents": 1, "attributes": {"k": ")" + std::string(5000, 'x') + R"("}})";
  CHECK(details_of([&] { services::parse_new_variant(body(big)); }).isMember("attributes"));
}

TEST_CASE("variant changes: price and/or attributes, neither null", "[unit][admin]") {
  const auto c = services::parse_variant_changes(body(R"({"price_cents": 500})"));
  CHECK(c.price_cents == 500);
  CHECK_FALSE(c.attributes_json.has_value());
  CHECK(services::parse_variant_changes(body(R"({"attributes": {}})")).attributes_json == "{}");
  CHECK(details_of([] { services::parse_variant_changes(body("{}")); }).isMember("body"));
  CHECK(details_of([] {
          services::parse_variant_changes(body(R"({"price_cents": null})"));
        }).isMember("price_cents"));
  CHECK(details_of([] {
          services::parse_variant_changes(body(R"({"attributes": null})"));
        }).isMember("attributes"));
}

TEST_CASE("stock adjustment: a non-zero integer delta and an optional reason", "[unit][admin]") {
  const auto a = services::parse_stock_adjustment(body(R"({"delta": -3, "reason": "broken"})"));
  CHECK(a.delta == -3);
  CHECK(a.reason == "broken");
  CHECK_FALSE(services::parse_stock_adjustment(body(R"({"delta": 10})")).reason.has_value());
  for (const char* bad : {"{}", R"({"delta": 0})", R"({"delta": 1.5})", R"({"delta": "4"})",
                          R"({"delta": true})", R"({"delta": 1000000001})"}) {
    INFO(bad);
    CHECK(details_of([&] { services::parse_stock_adjustment(body(bad)); }).isMember("delta"));
  }
  CHECK(details_of([] {
          services::parse_stock_adjustment(body(R"({"delta": 1, "reason": ""})"));
        }).isMember("reason"));
}
