// The catalogue's use of the cache: which answers are cached under which
// version key, and which writes move which keys. The cache's own rules (never
// staler than the last committed write, never a dependency) are in
// common/cache.h.
//
//   GET /api/v1/products/{id}   name "product:{id}"       version "cache:ver:product:{id}"
//   GET /api/v1/products?...    name "products:{query}"   version "cache:ver:catalog"
//   GET /api/v1/categories      name "categories"         version "cache:ver:catalog"
//
// A write that changes what a product's detail shows (its fields, its
// variants, their prices or stock: admin writes, checkout, cancel, ship,
// refund) moves that product's key and the catalogue's (lists show prices and
// stock); a new category moves the catalogue's. Every function here runs after
// the write's transaction has committed, never inside it, and never throws: a
// lost invalidation is the cache's to repair (it marks its epoch owed).
//
// `cache` may be nullptr (a process without a cache: tools, tests).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/cache.h"
#include "common/pg.h"
#include "workers/services/catalog_service.h"

namespace services::catalog_cache {

struct Key {
  std::string version;  // the version key it hangs off
  std::string name;     // the entry's name under that version
};

Key product(int64_t product_id);
// One key per distinct query: every field of the request, unambiguously.
Key product_list(const ProductListRequest& request);
Key categories();

void catalog_changed(common::cache::Cache* cache);
void products_changed(common::cache::Cache* cache, const std::vector<int64_t>& product_ids);
// The products of these variants (one query), then as products_changed. When
// that query fails, every entry is invalidated instead (Cache::invalidate_all).
void variants_changed(common::pg::Connection& db, common::cache::Cache* cache,
                      const std::vector<int64_t>& variant_ids);
// The variants of an order as order_json renders it (`items[].variant_id`).
void order_changed(common::pg::Connection& db, common::cache::Cache* cache,
                   const Json::Value& order);

}  // namespace services::catalog_cache
