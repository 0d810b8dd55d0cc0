#include "workers/repositories/inventory_sync_repository.h"

#include <json/value.h>

#include "common/error.h"
#include "common/json.h"
#include "common/pg_params.h"

namespace repo {

namespace pg = common::pg;

namespace {

// The skus travel as one JSON array (text parameters never become SQL). New
// rows are inserted in variant id order too: two syncs inserting the same
// missing rows wait on each other's keys in one order.
const pg::Statement kEnsureStockRows{"inventory_sync.ensure_rows", pg::Role::kService,
                                     pg::Effect::kWrite, R"SQL(
INSERT INTO inventory (variant_id, available, reserved)
SELECT v.id, 0, 0
FROM product_variants v
WHERE v.sku IN (SELECT jsonb_array_elements_text($1::jsonb))
ORDER BY v.id
ON CONFLICT (variant_id) DO NOTHING
)SQL"};

// ORDER BY is applied before FOR UPDATE, so the locks are taken in this order.
const pg::Statement kLockStockBySku{"inventory_sync.lock", pg::Role::kService, pg::Effect::kWrite,
                                    R"SQL(
SELECT i.variant_id, v.sku, i.available, i.reserved
FROM inventory i
JOIN product_variants v ON v.id = i.variant_id
WHERE v.sku IN (SELECT jsonb_array_elements_text($1::jsonb))
ORDER BY i.variant_id
FOR UPDATE OF i
)SQL"};

const pg::Statement kApplyChanges{"inventory_sync.apply", pg::Role::kService, pg::Effect::kWrite,
                                  R"SQL(
WITH changes AS (
  SELECT * FROM unnest($1::bigint[], $2::integer[]) AS c(variant_id, delta)
), updated AS (
  UPDATE inventory i
  SET available = i.available + c.delta, last_updated_at = now()
  FROM changes c
  WHERE i.variant_id = c.variant_id
  RETURNING i.variant_id, c.delta
)
INSERT INTO inventory_movements (variant_id, kind, available_delta, reserved_delta, reason)
SELECT variant_id, CASE WHEN delta > 0 THEN 'restock' ELSE 'write_off' END, delta, 0, $3
FROM updated
)SQL"};

std::string sku_list(const std::vector<std::string>& skus) {
  Json::Value list(Json::arrayValue);
  for (const std::string& sku : skus) list.append(sku);
  return common::json::write(list);
}

}  // namespace

std::vector<SkuStock> lock_stock_by_sku(pg::Connection& db, const std::vector<std::string>& skus) {
  const std::string list = sku_list(skus);
  (void)db.exec(kEnsureStockRows, {list});
  const pg::Result r = db.exec(kLockStockBySku, {list});
  std::vector<SkuStock> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    out.push_back({r.int64(row, 0), r.str(row, 1), r.int64(row, 2), r.int64(row, 3)});
  }
  return out;
}

void apply_available_changes(pg::Connection& db, const std::vector<AvailableChange>& changes,
                             const std::string& reason) {
  if (changes.empty()) return;
  std::vector<int64_t> ids, deltas;
  ids.reserve(changes.size());
  deltas.reserve(changes.size());
  for (const AvailableChange& c : changes) {
    ids.push_back(c.variant_id);
    deltas.push_back(c.delta);
  }
  const pg::Result r = db.exec(kApplyChanges, {pg::int_array(ids), pg::int_array(deltas), reason});
  if (r.affected() != static_cast<int>(changes.size())) {
    throw common::AppError(common::ErrorCode::kInternal, "inventory row missing", Json::Value(),
                           "inventory_sync.apply: a variant has no inventory row");
  }
}

}  // namespace repo
