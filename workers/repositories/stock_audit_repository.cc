#include "workers/repositories/stock_audit_repository.h"

namespace repo {

namespace pg = common::pg;

namespace {

// One page of variants by id; the ledger and the orders of each are summed
// through their variant_id indexes (an aggregate without GROUP BY always
// yields one row, so every variant of the page is there).
const pg::Statement kVariantStockFacts{"stock_audit.variant_facts", pg::Role::kService,
                                       pg::Effect::kRead, R"SQL(
SELECT v.id, v.sku,
       coalesce(i.available, 0), coalesce(i.reserved, 0), coalesce(i.shipped, 0),
       coalesce(l.stock_in, 0), coalesce(l.available_sum, 0), coalesce(l.reserved_sum, 0),
       coalesce(l.shipped_sum, 0), coalesce(o.open_units, 0), coalesce(o.shipped_units, 0)
FROM product_variants v
LEFT JOIN inventory i ON i.variant_id = v.id
CROSS JOIN LATERAL (
  SELECT sum(m.available_delta + m.reserved_delta)
           FILTER (WHERE m.kind IN ('initial', 'restock', 'write_off')) AS stock_in,
         sum(m.available_delta) AS available_sum,
         sum(m.reserved_delta) AS reserved_sum,
         -sum(m.reserved_delta) FILTER (WHERE m.kind = 'ship') AS shipped_sum
  FROM inventory_movements m
  WHERE m.variant_id = v.id
) l
CROSS JOIN LATERAL (
  SELECT sum(oi.quantity) FILTER (WHERE ord.status IN ('created', 'paid')) AS open_units,
         sum(oi.quantity) FILTER (WHERE ord.status = 'shipped') AS shipped_units
  FROM order_items oi
  JOIN orders ord ON ord.id = oi.order_id
  WHERE oi.variant_id = v.id
) o
WHERE v.id > $1
ORDER BY v.id
LIMIT $2
)SQL"};

}  // namespace

std::vector<VariantStockFacts> variant_stock_facts(pg::Connection& db, int64_t after_variant_id,
                                                   int limit) {
  const pg::Result r =
      db.exec(kVariantStockFacts, {std::to_string(after_variant_id), std::to_string(limit)});
  std::vector<VariantStockFacts> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int row = 0; row < r.rows(); ++row) {
    out.push_back({.variant_id = r.int64(row, 0),
                   .sku = r.str(row, 1),
                   .available = r.int64(row, 2),
                   .reserved = r.int64(row, 3),
                   .shipped = r.int64(row, 4),
                   .ledger_stock_in = r.int64(row, 5),
                   .ledger_available = r.int64(row, 6),
                   .ledger_reserved = r.int64(row, 7),
                   .ledger_shipped = r.int64(row, 8),
                   .open_order_units = r.int64(row, 9),
                   .shipped_order_units = r.int64(row, 10)});
  }
  return out;
}

}  // namespace repo
