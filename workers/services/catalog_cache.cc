#include "workers/services/catalog_cache.h"

#include "common/log.h"
#include "workers/repositories/catalog_repository.h"

namespace services::catalog_cache {

namespace {

constexpr const char* kCatalogVersion = "cache:ver:catalog";

std::string product_version(int64_t id) { return "cache:ver:product:" + std::to_string(id); }

// "name=value;" for a present field, "name;" for an absent one: no two
// requests share a key. Strings are length-prefixed, so no value can fake a
// separator.
void field(std::string& out, const char* name, const std::optional<int64_t>& v) {
  out += name;
  if (v) {
    out += '=';
    out += std::to_string(*v);
  }
  out += ';';
}

}  // namespace

Key product(int64_t product_id) {
  return {product_version(product_id), "product:" + std::to_string(product_id)};
}

Key product_list(const ProductListRequest& r) {
  std::string name = "products:";
  field(name, "after", r.after_id);
  field(name, "category", r.category_id);
  name += 'q';
  if (r.title_contains) {
    name += '=';
    name += std::to_string(r.title_contains->size());
    name += ':';
    name += *r.title_contains;
  }
  name += ';';
  field(name, "min", r.min_price_cents);
  field(name, "max", r.max_price_cents);
  name += r.has_inventory ? (*r.has_inventory ? "stock=1;" : "stock=0;") : "stock;";
  field(name, "limit", r.limit);
  return {kCatalogVersion, std::move(name)};
}

Key categories() { return {kCatalogVersion, "categories"}; }

void catalog_changed(common::cache::Cache* cache) {
  if (cache) cache->invalidate({kCatalogVersion});
}

void products_changed(common::cache::Cache* cache, const std::vector<int64_t>& product_ids) {
  if (!cache) return;
  std::vector<std::string> keys{kCatalogVersion};
  for (const int64_t id : product_ids) keys.push_back(product_version(id));
  cache->invalidate(keys);
}

void variants_changed(common::pg::Connection& db, common::cache::Cache* cache,
                      const std::vector<int64_t>& variant_ids) {
  if (!cache || !cache->enabled() || variant_ids.empty()) return;
  std::vector<int64_t> products;
  try {
    products = repo::products_of_variants(db, variant_ids);
  } catch (const std::exception& e) {
    common::log::warn("cannot tell which products changed; invalidating the whole catalogue",
                      {{"reason", e.what()}});
    cache->invalidate_all();
    return;
  }
  products_changed(cache, products);
}

void order_changed(common::pg::Connection& db, common::cache::Cache* cache,
                   const Json::Value& order) {
  std::vector<int64_t> variants;
  for (const Json::Value& item : order["items"]) {
    if (item["variant_id"].isIntegral()) variants.push_back(item["variant_id"].asInt64());
  }
  variants_changed(db, cache, variants);
}

}  // namespace services::catalog_cache
