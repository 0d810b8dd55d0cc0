#include "workers/repositories/admin_catalog_repository.h"

#include "common/pg_params.h"

namespace repo {

namespace pg = common::pg;

namespace {

const pg::Statement kInsertCategory{"admin_catalog.insert_category", pg::Role::kService,
                                    pg::Effect::kWrite,
                                    "INSERT INTO categories (name) VALUES ($1) RETURNING id, name"};

const pg::Statement kInsertProduct{"admin_catalog.insert_product", pg::Role::kService,
                                   pg::Effect::kWrite, R"SQL(
INSERT INTO products (sku, title, description, category_id)
VALUES ($1, $2, $3, $4::bigint)
RETURNING id
)SQL"};

// $2/$4/$6 say whether to set title/description/category_id.
const pg::Statement kUpdateProduct{"admin_catalog.update_product", pg::Role::kService,
                                   pg::Effect::kWrite, R"SQL(
UPDATE products
SET title = CASE WHEN $2::boolean THEN $3 ELSE title END,
    description = CASE WHEN $4::boolean THEN $5 ELSE description END,
    category_id = CASE WHEN $6::boolean THEN $7::bigint ELSE category_id END,
    updated_at = now()
WHERE id = $1
)SQL"};

const pg::Statement kLockProductKey{"admin_catalog.lock_product_key", pg::Role::kService,
                                    pg::Effect::kWrite,
                                    "SELECT 1 FROM products WHERE id = $1 FOR KEY SHARE"};

const pg::Statement kInsertVariant{"admin_catalog.insert_variant", pg::Role::kService,
                                   pg::Effect::kWrite, R"SQL(
WITH variant AS (
  INSERT INTO product_variants (sku, product_id, price_cents, attributes)
  VALUES ($1, $2::bigint, $3::bigint, $4::jsonb)
  RETURNING id
)
INSERT INTO inventory (variant_id, available, reserved)
SELECT id, $5::integer, 0 FROM variant
RETURNING variant_id
)SQL"};

// NULL parameters leave a column as it is.
const pg::Statement kUpdateVariant{"admin_catalog.update_variant", pg::Role::kService,
                                   pg::Effect::kWrite, R"SQL(
UPDATE product_variants
SET price_cents = coalesce($2::bigint, price_cents),
    attributes = coalesce($3::jsonb, attributes),
    updated_at = now()
WHERE id = $1
)SQL"};

const pg::Statement kFindVariant{"admin_catalog.find_variant", pg::Role::kService,
                                 pg::Effect::kRead, R"SQL(
SELECT v.id, v.sku, v.price_cents, v.attributes, coalesce(i.available, 0), coalesce(i.reserved, 0)
FROM product_variants v
LEFT JOIN inventory i ON i.variant_id = v.id
WHERE v.id = $1
)SQL"};

const pg::Statement kEnsureStockRow{"admin_catalog.ensure_stock_row", pg::Role::kService,
                                    pg::Effect::kWrite, R"SQL(
INSERT INTO inventory (variant_id, available, reserved)
SELECT id, 0, 0 FROM product_variants WHERE id = $1
ON CONFLICT (variant_id) DO NOTHING
)SQL"};

const pg::Statement kLockStock{"admin_catalog.lock_stock", pg::Role::kService, pg::Effect::kWrite,
                               R"SQL(
SELECT available, reserved FROM inventory WHERE variant_id = $1 FOR UPDATE
)SQL"};

const pg::Statement kAddAvailable{"admin_catalog.add_available", pg::Role::kService,
                                  pg::Effect::kWrite, R"SQL(
UPDATE inventory SET available = available + $2::integer, last_updated_at = now()
WHERE variant_id = $1
)SQL"};

const pg::Statement kInsertMovement{"admin_catalog.insert_movement", pg::Role::kService,
                                    pg::Effect::kWrite, R"SQL(
INSERT INTO inventory_movements
  (variant_id, kind, available_delta, reserved_delta, reason, actor_user_id, order_id)
VALUES ($1, $2, $3::integer, $4::integer, $5, $6::bigint, $7::bigint)
)SQL"};

const char* flag(bool b) { return b ? "true" : "false"; }

}  // namespace

Category insert_category(pg::Connection& db, const std::string& name) {
  const pg::Result r = db.exec(kInsertCategory, {name});
  return {r.int64(0, 0), r.str(0, 1)};
}

int64_t insert_product(pg::Connection& db, const std::string& sku, const std::string& title,
                       const std::optional<std::string>& description,
                       const std::optional<int64_t>& category_id) {
  return db.exec(kInsertProduct, {sku, title, description, pg::opt_num(category_id)}).int64(0, 0);
}

bool update_product(pg::Connection& db, int64_t id, const ProductChanges& c) {
  return db.exec(kUpdateProduct,
                 {std::to_string(id), flag(c.set_title), c.title, flag(c.set_description),
                  c.description, flag(c.set_category), pg::opt_num(c.category_id)})
             .affected() == 1;
}

bool lock_product_key(pg::Connection& db, int64_t id) {
  return db.exec(kLockProductKey, {std::to_string(id)}).rows() == 1;
}

int64_t insert_variant(pg::Connection& db, int64_t product_id, const std::string& sku,
                       int64_t price_cents, const std::string& attributes_json, int available) {
  return db
      .exec(kInsertVariant, {sku, std::to_string(product_id), std::to_string(price_cents),
                             attributes_json, std::to_string(available)})
      .int64(0, 0);
}

bool update_variant(pg::Connection& db, int64_t id, const VariantChanges& c) {
  return db.exec(kUpdateVariant,
                 {std::to_string(id), pg::opt_num(c.price_cents), c.attributes_json})
             .affected() == 1;
}

std::optional<Variant> find_variant(pg::Connection& db, int64_t id) {
  const pg::Result r = db.exec(kFindVariant, {std::to_string(id)});
  if (r.rows() == 0) return std::nullopt;
  return Variant{r.int64(0, 0), r.str(0, 1),   r.int64(0, 2),
                 r.str(0, 3),   r.int64(0, 4), r.int64(0, 5)};
}

std::optional<StockLevel> lock_stock(pg::Connection& db, int64_t variant_id) {
  const std::string id = std::to_string(variant_id);
  (void)db.exec(kEnsureStockRow, {id});
  const pg::Result r = db.exec(kLockStock, {id});
  if (r.rows() == 0) return std::nullopt;
  return StockLevel{r.int64(0, 0), r.int64(0, 1)};
}

void add_available(pg::Connection& db, int64_t variant_id, int64_t delta) {
  (void)db.exec(kAddAvailable, {std::to_string(variant_id), std::to_string(delta)});
}

void insert_movement(pg::Connection& db, const Movement& m) {
  (void)db.exec(kInsertMovement,
                {std::to_string(m.variant_id), m.kind, std::to_string(m.available_delta),
                 std::to_string(m.reserved_delta), m.reason, pg::opt_num(m.actor_user_id),
                 pg::opt_num(m.order_id)});
}

}  // namespace repo
