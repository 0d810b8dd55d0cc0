// Catalogue reads: named SQL only, rows out as plain structs. No HTTP here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.h"

namespace repo {

struct Category {
  int64_t id;
  std::string name;
};

struct ProductSummary {
  int64_t id;
  std::string sku;
  std::string title;
  std::optional<int64_t> category_id;
  std::optional<int64_t> min_price_cents;  // nullopt when the product has no variant
  int64_t variant_count;
  int64_t total_available;
};

// Filters of the product list. `title_pattern` is an ILIKE pattern with the
// user's text already escaped (see services::like_contains_pattern).
struct ProductFilter {
  int64_t after_id = 0;
  std::optional<int64_t> category_id;
  std::optional<std::string> title_pattern;
  std::optional<int64_t> min_price_cents;
  std::optional<int64_t> max_price_cents;
  std::optional<bool> has_inventory;
};

struct Variant {
  int64_t id;
  std::string sku;
  int64_t price_cents;
  std::string attributes_json;  // jsonb text
  int64_t available;
  int64_t reserved;
};

struct ProductDetail {
  int64_t id;
  std::string sku;
  std::string title;
  std::optional<std::string> description;
  std::optional<int64_t> category_id;
  std::string created_at;         // RFC 3339
  std::vector<Variant> variants;  // by id
};

std::vector<Category> list_categories(common::pg::Connection& db);

// Products with id > filter.after_id matching every filter, by id ascending, at
// most `fetch` rows (callers ask for one more than a page to learn has_more).
// The products the given variants belong to, ascending, without repeats.
std::vector<int64_t> products_of_variants(common::pg::Connection& db,
                                          const std::vector<int64_t>& variant_ids);

std::vector<ProductSummary> list_products(common::pg::Connection& db, const ProductFilter& filter,
                                          int fetch);

// The product with its variants (one query), or nullopt when there is none.
[[nodiscard]] std::optional<ProductDetail> find_product(common::pg::Connection& db, int64_t id);

}  // namespace repo
