// Cart input validation and the cart's JSON (API.md "Cart").
#include <catch2/catch.hpp>
#include <string>

#include "common/json.h"
#include "tests/support/validation.h"
#include "workers/services/cart_service.h"

namespace {

Json::Value body(const std::string& text) { return common::json::parse_object(text); }

Json::Value problems(const std::function<void()>& fn) {
  return test_support::validation_details(fn);
}

}  // namespace

TEST_CASE("an added item needs a variant id and 1 to 99 units", "[unit][cart]") {
  const auto ok = services::parse_add_item(body(R"({"variant_id": 5, "quantity": 99, "x": 1})"));
  CHECK(ok.variant_id == 5);
  CHECK(ok.quantity == 99);

  struct Case {
    const char* body;
    bool variant_bad;
    bool quantity_bad;
  };
  const Case cases[] = {
      {R"({})", true, true},
      {R"({"variant_id": 5})", false, true},
      {R"({"quantity": 1})", true, false},
      {R"({"variant_id": 0, "quantity": 1})", true, false},
      {R"({"variant_id": -2, "quantity": 1})", true, false},
      {R"({"variant_id": "5", "quantity": 1})", true, false},
      {R"({"variant_id": 5.0, "quantity": 1})", true, false},
      {R"({"variant_id": 5, "quantity": 0})", false, true},
      {R"({"variant_id": 5, "quantity": 100})", false, true},
      {R"({"variant_id": 5, "quantity": true})", false, true},
      {R"({"variant_id": null, "quantity": null})", true, true},
  };
  for (const Case& c : cases) {
    INFO(c.body);
    const Json::Value d = problems([&] { services::parse_add_item(body(c.body)); });
    CHECK(d.isMember("variant_id") == c.variant_bad);
    CHECK(d.isMember("quantity") == c.quantity_bad);
  }
}

TEST_CASE("a quantity update is 0 to 99 units", "[unit][cart]") {
  CHECK(services::parse_quantity_update(body(R"({"quantity": 0})")) == 0);
  CHECK(services::parse_quantity_update(body(R"({"quantity": 99})")) == 99);
  for (const char* bad : {R"({})", R"({"quantity": -1})", R"({"quantity": 100})",
                          R"({"quantity": "2"})", R"({"quantity": 2.5})"}) {
    INFO(bad);
    CHECK(problems([&] { services::parse_quantity_update(body(bad)); }).isMember("quantity"));
  }
}

TEST_CASE("the cart's totals are integer cents over its lines", "[unit][cart]") {
  const std::vector<repo::CartLine> lines = {
      {12, 5, "TS-M", 3, "TS", "T-Shirt", 2999, 2},
      {13, 8, "BK-P", 4, "BK", "Book", 3999, 1},
  };
  const Json::Value cart = services::cart_json(7, 3, lines);
  CHECK(cart["cart_id"] == 7);
  CHECK(cart["user_id"] == 3);
  REQUIRE(cart["items"].size() == 2);
  const Json::Value& first = cart["items"][0];
  CHECK(first["cart_item_id"] == 12);
  CHECK(first["variant_id"] == 5);
  CHECK(first["variant_sku"] == "TS-M");
  CHECK(first["product_id"] == 3);
  CHECK(first["product_sku"] == "TS");
  CHECK(first["product_title"] == "T-Shirt");
  CHECK(first["price_cents"] == 2999);
  CHECK(first["quantity"] == 2);
  CHECK(first["line_total_cents"] == 5998);
  CHECK(cart["total_items"] == 2);
  CHECK(cart["total_quantity"] == 3);
  CHECK(cart["total_cents"] == 5998 + 3999);
  CHECK(cart["is_empty"] == false);

  const Json::Value empty = services::cart_json(7, 3, {});
  CHECK(empty["items"].isArray());
  CHECK(empty["items"].empty());
  CHECK(empty["total_cents"] == 0);
  CHECK(empty["is_empty"] == true);
}
