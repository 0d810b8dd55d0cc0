#include "workers/repositories/catalog_repository.h"

#include "common/pg_params.h"
#include "common/time_util.h"

namespace repo {

namespace pg = common::pg;

namespace {

const pg::Statement kListCategories{"catalog.list_categories", pg::Role::kService,
                                    pg::Effect::kRead,
                                    "SELECT id, name FROM categories ORDER BY id"};

// Keyset page on products.id; the per-product aggregates come from a LATERAL
// subquery so that the price and stock filters apply to them. NULL parameters
// switch a filter off.
const pg::Statement kListProducts{"catalog.list_products", pg::Role::kService, pg::Effect::kRead,
                                  R"SQL(
SELECT p.id, p.sku, p.title, p.category_id, s.min_price, s.variant_count, s.total_available
FROM products p
CROSS JOIN LATERAL (
  SELECT min(v.price_cents) AS min_price,
         count(v.id) AS variant_count,
         coalesce(sum(i.available), 0) AS total_available
  FROM product_variants v
  LEFT JOIN inventory i ON i.variant_id = v.id
  WHERE v.product_id = p.id
) s
WHERE p.id > $1
  AND ($2::bigint IS NULL OR p.category_id = $2)
  AND ($3::text IS NULL OR p.title ILIKE $3)
  AND ($4::bigint IS NULL OR s.min_price >= $4)
  AND ($5::bigint IS NULL OR s.min_price <= $5)
  AND ($6::boolean IS NULL OR (s.total_available > 0) = $6)
ORDER BY p.id
LIMIT $7
)SQL"};

// One row per variant (or one row with NULL variant columns for a product
// without variants), variants by id.
const pg::Statement kFindProduct{"catalog.find_product", pg::Role::kService, pg::Effect::kRead,
                                 R"SQL(
SELECT p.id, p.sku, p.title, p.description, p.category_id, p.created_at,
       v.id, v.sku, v.price_cents, v.attributes, coalesce(i.available, 0), coalesce(i.reserved, 0)
FROM products p
LEFT JOIN product_variants v ON v.product_id = p.id
LEFT JOIN inventory i ON i.variant_id = v.id
WHERE p.id = $1
ORDER BY v.id
)SQL"};

const pg::Statement kProductsOfVariants{
    "catalog.products_of_variants", pg::Role::kService, pg::Effect::kRead,
    "SELECT DISTINCT product_id FROM product_variants WHERE id = ANY($1::bigint[]) ORDER BY 1"};

}  // namespace

std::vector<int64_t> products_of_variants(pg::Connection& db,
                                          const std::vector<int64_t>& variant_ids) {
  const pg::Result r = db.exec(kProductsOfVariants, {pg::int_array(variant_ids)});
  std::vector<int64_t> out;
  out.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.int64(i, 0));
  return out;
}

std::vector<Category> list_categories(pg::Connection& db) {
  const pg::Result r = db.exec(kListCategories, {});
  std::vector<Category> out;
  out.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.int64(i, 0), r.str(i, 1)});
  return out;
}

std::vector<ProductSummary> list_products(pg::Connection& db, const ProductFilter& f, int fetch) {
  const pg::Result r =
      db.exec(kListProducts,
              {std::to_string(f.after_id), pg::opt_num(f.category_id), f.title_pattern,
               pg::opt_num(f.min_price_cents), pg::opt_num(f.max_price_cents),
               f.has_inventory ? pg::Param(*f.has_inventory ? "true" : "false") : std::nullopt,
               std::to_string(fetch)});
  std::vector<ProductSummary> out;
  out.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({r.int64(i, 0), r.str(i, 1), r.str(i, 2), r.opt_int64(i, 3), r.opt_int64(i, 4),
                   r.int64(i, 5), r.int64(i, 6)});
  }
  return out;
}

std::optional<ProductDetail> find_product(pg::Connection& db, int64_t id) {
  const pg::Result r = db.exec(kFindProduct, {std::to_string(id)});
  if (r.rows() == 0) return std::nullopt;
  ProductDetail p{r.int64(0, 0),
                  r.str(0, 1),
                  r.str(0, 2),
                  r.is_null(0, 3) ? std::nullopt : std::optional<std::string>(r.str(0, 3)),
                  r.opt_int64(0, 4),
                  common::pg_timestamp_to_rfc3339(r.text(0, 5)),
                  {}};
  for (int i = 0; i < r.rows(); ++i) {
    if (r.is_null(i, 6)) continue;
    p.variants.push_back(
        {r.int64(i, 6), r.str(i, 7), r.int64(i, 8), r.str(i, 9), r.int64(i, 10), r.int64(i, 11)});
  }
  return p;
}

}  // namespace repo
