// Catalogue use cases: query validation (API.md "Catalogue"), the reads, and
// the JSON shapes. Pure functions except the two that take a Connection; no HTTP.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/http.h"
#include "common/pg.h"
#include "workers/repositories/catalog_repository.h"

namespace services {

struct ProductListRequest {
  repo::ProductFilter filter;
  int limit = 20;
};

// Validates GET /api/v1/products parameters: limit 1..100 (default 20),
// after >= 0, category_id >= 1, q 2..100 characters, min/max_price_cents >= 0
// with min <= max, has_inventory true|false|1|0. Unknown parameters are
// ignored. Throws AppError(kValidationError) naming every bad parameter.
ProductListRequest parse_product_list_query(const common::QueryParams& query);

// "%<text>%" for ILIKE with '%', '_' and '\' in text escaped (backslash is
// PostgreSQL's default LIKE escape), so user input matches only literally.
std::string like_contains_pattern(std::string_view text);

// true|1 -> true, false|0 -> false, anything else nullopt.
std::optional<bool> parse_query_bool(std::string_view value);

// {"items": [...], "pagination": {cursor, has_more, count, limit}} from up to
// limit + 1 rows (the extra row only says there is more).
Json::Value product_page_json(const std::vector<repo::ProductSummary>& rows, int limit);
Json::Value product_detail_json(const repo::ProductDetail& product);
// One variant as the product detail shows it: {id, sku, price_cents,
// attributes, available, reserved, in_stock}.
Json::Value variant_json(const repo::Variant& variant);
Json::Value categories_json(const std::vector<repo::Category>& categories);

Json::Value list_products(common::pg::Connection& db, const ProductListRequest& request);
// Throws AppError(kNotFound) when there is no such product.
Json::Value get_product(common::pg::Connection& db, int64_t id);
Json::Value list_categories(common::pg::Connection& db);

}  // namespace services
