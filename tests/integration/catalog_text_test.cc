// The catalogue reads rendered as text (services/catalog_text.h) against the
// same reads rendered through a Json::Value tree and json::write, from real
// PostgreSQL rows: the bytes, and so the ETags, must not differ.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/http.h"
#include "common/json.h"
#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "workers/services/catalog_service.h"

namespace {

using test_support::make_category;
using test_support::make_product;
using test_support::make_variant;
using test_support::migrated_connection;
using test_support::truncate_all;

// Titles and descriptions that need escaping or are not ASCII.
const std::vector<std::string> kTexts = {
    "Plain Mug",
    "Caf\xc3\xa9 cr\xc3\xa8me \xe2\x82\xac 5",
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80",
    "The \"best\" mug",
    "C:\\mugs\\blue",
    "line one\nline two\ttabbed\r",
    "bell \x07 escape \x1b unit \x1f del \x7f",
    "</script> & 'single' /slash/",
};

// jsonb as PostgreSQL stores it: names reordered (shorter first), spacing of
// its own, numbers as written.
const std::vector<std::string> kAttributes = {
    "{}",
    R"({"color": "red", "ml": 300})",
    R"({"size": "M", "b": true, "a": null, "long name": [1, "two", {"z": 1, "y": [false]}]})",
    R"({"dims": {"w": 10.5, "h": 2e3, "d": -0.25}, "tags": ["\"q\"", "back\\slash", "caf\u00e9"]})",
    R"({"nested": {"deeper": {"deepest": {"k": "v\n\t\u0001"}}}, "big": 12345678901234567890})",
    R"({"emoji": "\ud83d\ude00", "empty": {}, "list": [], "zero": 0, "neg": -42})",
};

void check_same(const std::string& text, const Json::Value& tree) {
  const std::string old_bytes = common::json::write(tree);
  CHECK(text == old_bytes);
  CHECK(common::make_etag(text) == common::make_etag(old_bytes));
}

}  // namespace

TEST_CASE("catalogue answers rendered as text are byte for byte the tree's",
          "[integration][catalog]") {
  common::pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t category = make_category(db, {.name = "M\xc3\xb6"
                                                      "bel \"&\" Deko"});
  make_category(db, {.name = "Back\\slash"});

  std::vector<int64_t> products;
  for (size_t i = 0; i < kTexts.size(); ++i) {
    const int64_t product = make_product(
        db, {.title = kTexts[i],
             .description = i % 2 == 0 ? std::optional<std::string>(kTexts[(i + 1) % kTexts.size()])
                                       : std::nullopt,
             .category_id = i % 3 == 0 ? std::optional<int64_t>(category) : std::nullopt});
    products.push_back(product);
    // From no variant (null prices, out of stock) up to several of them.
    for (size_t v = 0; v < i % 4; ++v) {
      make_variant(db, product,
                   {.price_cents = static_cast<int64_t>(100 + 37 * i + 1000 * v),
                    .attributes_json = kAttributes[(i + v) % kAttributes.size()],
                    .available = static_cast<int>((i + v) % 3),
                    .reserved = static_cast<int>(v)});
    }
  }
  // Every attribute shape at least once.
  const int64_t all_shapes = make_product(db, {.title = "Every attribute"});
  products.push_back(all_shapes);
  for (const auto& attributes : kAttributes) {
    make_variant(db, all_shapes, {.attributes_json = attributes});
  }

  for (const int64_t id : products) {
    INFO("product " << id);
    check_same(services::get_product_text(db, id), services::get_product(db, id));
  }

  for (const int limit : {1, 2, 3, 100}) {
    INFO("limit " << limit);
    services::ProductListRequest request;
    request.limit = limit;
    check_same(services::list_products_text(db, request), services::list_products(db, request));
    request.after_id = products[2];
    check_same(services::list_products_text(db, request), services::list_products(db, request));
  }
  services::ProductListRequest filtered;
  filtered.category_id = category;
  check_same(services::list_products_text(db, filtered), services::list_products(db, filtered));
  filtered.category_id = category + 1000;  // no product: an empty page
  check_same(services::list_products_text(db, filtered), services::list_products(db, filtered));

  check_same(services::list_categories_text(db), services::list_categories(db));
}

TEST_CASE("a missing product is not found through the text read too", "[integration][catalog]") {
  common::pg::Connection db = migrated_connection();
  truncate_all(db);
  try {
    (void)services::get_product_text(db, 12345);
    FAIL("no error");
  } catch (const common::AppError& e) {
    CHECK(e.code() == common::ErrorCode::kNotFound);
  }
}
