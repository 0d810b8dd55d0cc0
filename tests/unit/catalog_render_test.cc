#include <catch2/catch.hpp>

#include "common/json.h"
#include "workers/services/catalog_service.h"
#include "workers/services/catalog_text.h"

using repo::ProductSummary;

namespace {
ProductSummary summary(int64_t id, int64_t available) {
  return {id, "SKU-" + std::to_string(id), "Title", 1, 1999, 2, available};
}
}  // namespace

TEST_CASE("a page with an extra row has more and points the cursor at its last item",
          "[unit][catalog]") {
  const Json::Value page =
      services::product_page_json({summary(3, 5), summary(8, 0), summary(9, 1)}, 2);
  CHECK(page["items"].size() == 2);
  CHECK(page["pagination"]["has_more"] == true);
  CHECK(page["pagination"]["cursor"] == 8);
  CHECK(page["pagination"]["count"] == 2);
  CHECK(page["pagination"]["limit"] == 2);
  CHECK(page["items"][0]["in_stock"] == true);
  CHECK(page["items"][1]["in_stock"] == false);
  CHECK(page["items"][0]["product_sku"] == "SKU-3");
}

TEST_CASE("the last page has a null cursor", "[unit][catalog]") {
  const Json::Value page = services::product_page_json({summary(3, 5)}, 2);
  CHECK(page["pagination"]["has_more"] == false);
  CHECK(page["pagination"]["cursor"].isNull());
  CHECK(page["pagination"]["count"] == 1);
  const Json::Value empty = services::product_page_json({}, 20);
  CHECK(empty["items"].isArray());
  CHECK(empty["items"].empty());
  CHECK(empty["pagination"]["cursor"].isNull());
}

TEST_CASE("product detail sums stock and spans prices over its variants", "[unit][catalog]") {
  repo::ProductDetail p{
      1, "ELEC-LAPTOP-001", "ProBook Laptop 15", "15-inch", 1, "2026-11-25T10:15:30.000000+00:00",
      {}};
  p.variants.push_back({1, "SLV", 129999, R"({"color": "silver", "storage_gb": 512})", 25, 1});
  p.variants.push_back({2, "BLK", 134999, "{}", 0, 0});
  const Json::Value d = services::product_detail_json(p);
  CHECK(d["min_price_cents"] == 129999);
  CHECK(d["max_price_cents"] == 134999);
  CHECK(d["total_available"] == 25);
  CHECK(d["in_stock"] == true);
  CHECK(d["variants"][0]["attributes"]["storage_gb"] == 512);
  CHECK(d["variants"][0]["reserved"] == 1);
  CHECK(d["variants"][1]["in_stock"] == false);
}

TEST_CASE("a product without variants has null prices and is out of stock", "[unit][catalog]") {
  repo::ProductDetail p{2, "X", "X", std::nullopt, std::nullopt, "t", {}};
  const Json::Value d = services::product_detail_json(p);
  CHECK(d["variants"].isArray());
  CHECK(d["variants"].empty());
  CHECK(d["min_price_cents"].isNull());
  CHECK(d["description"].isNull());
  CHECK(d["category_id"].isNull());
  CHECK(d["in_stock"] == false);
}

TEST_CASE("the text renderings are json::write of the trees, byte for byte", "[unit][catalog]") {
  repo::ProductDetail p{7,
                        "SKU \"7\"",
                        "Caf\xc3\xa9 \\ \xf0\x9f\x98\x80\n",
                        "tab\there \x01",
                        std::nullopt,
                        "2026-11-25T10:15:30.000000+00:00",
                        {}};
  CHECK(services::product_detail_text(p) == common::json::write(services::product_detail_json(p)));
  p.variants.push_back({1, "SLV", 129999, R"({"storage_gb": 512, "color": "silver"})", 25, 1});
  p.variants.push_back({2, "BLK", 134999, "{}", 0, 0});
  p.variants.push_back(
      {3, "N", 99, R"({"a": {"c": [1, {"e": null, "d": 1.5}], "b": true}})", 3, 0});
  p.category_id = 4;
  p.description.reset();
  CHECK(services::product_detail_text(p) == common::json::write(services::product_detail_json(p)));

  const std::vector<ProductSummary> rows = {
      summary(3, 5),
      summary(8, 0),
      summary(9, 1),
      {10, "Q\"", "\xe2\x82\xac", std::nullopt, std::nullopt, 0, 0}};
  for (int limit = 1; limit <= 5; ++limit) {
    for (size_t n = 0; n <= rows.size(); ++n) {
      const std::vector<ProductSummary> some(rows.begin(), rows.begin() + n);
      CHECK(services::product_page_text(some, limit) ==
            common::json::write(services::product_page_json(some, limit)));
    }
  }

  const std::vector<repo::Category> categories = {{1, "Tools"},
                                                  {2,
                                                   "M\xc3\xb6"
                                                   "bel \"x\""}};
  CHECK(services::categories_text(categories) ==
        common::json::write(services::categories_json(categories)));
  CHECK(services::categories_text({}) == common::json::write(services::categories_json({})));
}
