#include "workers/repositories/order_stock_repository.h"

#include "common/pg_params.h"

namespace repo {

namespace pg = common::pg;

namespace {

// ORDER BY is applied before FOR UPDATE, so the locks are taken in this order.
const pg::Statement kLockInventory{"order_stock.lock", pg::Role::kService, pg::Effect::kWrite,
                                   R"SQL(
SELECT variant_id, available, reserved
FROM inventory
WHERE variant_id = ANY ($1::bigint[])
ORDER BY variant_id
FOR UPDATE
)SQL"};

const pg::Statement kApplyMovements{"order_stock.apply", pg::Role::kService, pg::Effect::kWrite,
                                    R"SQL(
WITH moves AS (
  SELECT *
  FROM unnest($1::bigint[], $2::integer[], $3::integer[], $4::integer[])
       AS m (variant_id, available_delta, reserved_delta, shipped_delta)
),
changed AS (
  UPDATE inventory i
  SET available = i.available + m.available_delta,
      reserved = i.reserved + m.reserved_delta,
      shipped = i.shipped + m.shipped_delta,
      last_updated_at = now()
  FROM moves m
  WHERE i.variant_id = m.variant_id
  RETURNING i.variant_id, m.available_delta, m.reserved_delta
)
INSERT INTO inventory_movements (variant_id, kind, available_delta, reserved_delta, reason,
                                 actor_user_id, order_id)
SELECT c.variant_id, $5, c.available_delta, c.reserved_delta, $6, $7::bigint, $8::bigint
FROM changed c
ORDER BY c.variant_id
)SQL"};

const pg::Statement kOrderUnits{"order_stock.order_units", pg::Role::kService, pg::Effect::kRead,
                                R"SQL(
SELECT variant_id, sum(quantity)
FROM order_items
WHERE order_id = $1 AND variant_id IS NOT NULL
GROUP BY variant_id
ORDER BY variant_id
)SQL"};

}  // namespace

std::vector<StockLevel> lock_inventory(pg::Connection& db,
                                       const std::vector<int64_t>& variant_ids) {
  const pg::Result r = db.exec(kLockInventory, {pg::int_array(variant_ids)});
  std::vector<StockLevel> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.int64(i, 0), r.int64(i, 1), r.int64(i, 2)});
  return out;
}

void apply_stock_movements(pg::Connection& db, const std::string& kind,
                           const std::vector<StockMovement>& movements, int64_t order_id,
                           std::optional<int64_t> actor_user_id, const std::string& reason) {
  if (movements.empty()) return;
  std::vector<int64_t> variants, available, reserved, shipped;
  for (const StockMovement& m : movements) {
    variants.push_back(m.variant_id);
    available.push_back(m.available_delta);
    reserved.push_back(m.reserved_delta);
    shipped.push_back(m.shipped_delta);
  }
  const pg::Result r =
      db.exec(kApplyMovements, {pg::int_array(variants), pg::int_array(available),
                                pg::int_array(reserved), pg::int_array(shipped), kind, reason,
                                pg::opt_num(actor_user_id), pg::num(order_id)});
  if (r.affected() != static_cast<int>(movements.size())) {
    throw common::AppError(common::ErrorCode::kInternal, "internal error", Json::Value(),
                           "stock movement '" + kind + "' of order " + pg::num(order_id) +
                               " found " + std::to_string(r.affected()) + " of " +
                               std::to_string(movements.size()) + " inventory rows");
  }
}

std::vector<OrderUnits> order_units(pg::Connection& db, int64_t order_id) {
  const pg::Result r = db.exec(kOrderUnits, {pg::num(order_id)});
  std::vector<OrderUnits> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.int64(i, 0), r.int64(i, 1)});
  return out;
}

}  // namespace repo
