// Catalogue writes of API.md "Administration": input validation (pure, one
// parse_* per body) and the writes, each in one transaction that also reads
// back the resource as the public GET shows it. Every stock change appends an
// inventory_movements row in the same transaction, with the acting admin.
//
// Errors: bad input -> AppError(kValidationError) naming every bad field, with
// nothing written; an unknown product/variant id -> kNotFound; a taken name or
// sku -> kConflict (details name the field); an unknown category_id ->
// kValidationError; a stock delta taking `available` below 0 ->
// kInsufficientStock with details {"<variant_id>": available}.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/cache.h"
#include "common/pg.h"
#include "workers/repositories/admin_catalog_repository.h"

namespace services {

inline constexpr int64_t kMaxPriceCents = 10'000'000'000;  // 100 million in the currency
inline constexpr int64_t kMaxStockUnits = 1'000'000'000;   // per request and per variant
inline constexpr size_t kMaxAttributesBytes = 4096;        // the attributes object as JSON

struct NewCategory {
  std::string name;  // 1..100 characters
};
struct NewProduct {
  std::string sku;                         // 1..64 of [A-Za-z0-9._-]
  std::string title;                       // 1..200 characters
  std::optional<std::string> description;  // 0..10000 characters; absent or null: none
  std::optional<int64_t> category_id;      // absent or null: none
};
struct NewVariant {
  std::string sku;                     // 1..64 of [A-Za-z0-9._-]
  int64_t price_cents = 0;             // 0..kMaxPriceCents
  std::string attributes_json = "{}";  // a JSON object, at most kMaxAttributesBytes
  int64_t stock = 0;                   // 0..kMaxStockUnits, the initial `available`
};
struct StockAdjustment {
  int64_t delta = 0;                  // -kMaxStockUnits..kMaxStockUnits, not 0
  std::optional<std::string> reason;  // 1..500 characters
};

// Body parsers: required fields must be present, every field of the right
// type and range. Each throws AppError(kValidationError) naming every bad field.
NewCategory parse_new_category(const Json::Value& body);
NewProduct parse_new_product(const Json::Value& body);
// Any of {title, description, category_id}; at least one. description and
// category_id may be null (clears them), title may not.
repo::ProductChanges parse_product_changes(const Json::Value& body);
NewVariant parse_new_variant(const Json::Value& body);
// Any of {price_cents, attributes}; at least one, neither null.
repo::VariantChanges parse_variant_changes(const Json::Value& body);
StockAdjustment parse_stock_adjustment(const Json::Value& body);

// Every write below runs in one transaction and, once it has committed,
// invalidates the catalogue answers it changed (catalog_cache.h; `cache` may
// be nullptr).

// {id, name}
Json::Value create_category(common::pg::Connection& db, const NewCategory& category,
                            common::cache::Cache* cache);
// The product detail of GET /api/v1/products/{id}.
Json::Value create_product(common::pg::Connection& db, const NewProduct& product,
                           common::cache::Cache* cache);
Json::Value update_product(common::pg::Connection& db, int64_t product_id,
                           const repo::ProductChanges& changes, common::cache::Cache* cache);
// The variant as in the product detail; writes an 'initial' movement of `stock`.
Json::Value create_variant(common::pg::Connection& db, int64_t product_id,
                           const NewVariant& variant, int64_t actor_user_id,
                           common::cache::Cache* cache);
Json::Value update_variant(common::pg::Connection& db, int64_t variant_id,
                           const repo::VariantChanges& changes, common::cache::Cache* cache);
// available += delta under the inventory row's lock, with a 'restock' (delta > 0)
// or 'write_off' (delta < 0) movement; returns the variant. A result above
// 2147483647 is kValidationError.
Json::Value adjust_stock(common::pg::Connection& db, int64_t variant_id,
                         const StockAdjustment& adjustment, int64_t actor_user_id,
                         common::cache::Cache* cache);

}  // namespace services
