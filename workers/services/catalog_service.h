// Catalogue use cases (API.md "Catalogue"): the reads and their JSON shapes.
// Pure functions except those that take a Connection; no HTTP (the handler
// turns the query string into a ProductListRequest).
#pragma once

#include <json/value.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/pg.h"
#include "workers/repositories/catalog_repository.h"

namespace services {

// One page of the product list; every filter is off when nullopt.
struct ProductListRequest {
  int64_t after_id = 0;  // products with a greater id
  std::optional<int64_t> category_id;
  std::optional<std::string> title_contains;  // case-insensitive, matched literally
  std::optional<int64_t> min_price_cents;     // on the lowest variant price
  std::optional<int64_t> max_price_cents;
  std::optional<bool> has_inventory;
  int limit = 20;  // 1..100
};

// "%<text>%" for ILIKE with '%', '_' and '\' in text escaped (backslash is
// PostgreSQL's default LIKE escape), so user input matches only literally.
std::string like_contains_pattern(std::string_view text);

// {"items": [...], "pagination": {cursor, has_more, count, limit}} from up to
// limit + 1 rows (the extra row only says there is more).
Json::Value product_page_json(const std::vector<repo::ProductSummary>& rows, int limit);
Json::Value product_detail_json(const repo::ProductDetail& product);
// One variant as the product detail shows it: {id, sku, price_cents,
// attributes, available, reserved, in_stock}.
Json::Value variant_json(const repo::Variant& variant);
Json::Value categories_json(const std::vector<repo::Category>& categories);

// The reads as the public routes answer them: the `data` already rendered as
// JSON text (catalog_text.h), byte for byte json::write of the tree the
// Json::Value forms below return.
[[nodiscard]] std::string list_products_text(common::pg::Connection& db,
                                             const ProductListRequest& request);
// Throws AppError(kNotFound) when there is no such product.
[[nodiscard]] std::string get_product_text(common::pg::Connection& db, int64_t id);
[[nodiscard]] std::string list_categories_text(common::pg::Connection& db);

// The same reads as trees: the reference the text forms are tested against
// byte for byte, and the form tests look inside.
[[nodiscard]] Json::Value list_products(common::pg::Connection& db,
                                        const ProductListRequest& request);
// Throws AppError(kNotFound) when there is no such product.
Json::Value get_product(common::pg::Connection& db, int64_t id);
Json::Value list_categories(common::pg::Connection& db);

}  // namespace services
