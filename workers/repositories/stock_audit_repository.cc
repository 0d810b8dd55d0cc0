#include "workers/repositories/stock_audit_repository.h"

namespace repo {

namespace pg = common::pg;

namespace {

// Each side computed in its own grouped subquery, joined once per variant.
const pg::Statement kVariantStockFacts{"stock_audit.variant_facts", pg::Role::kService,
                                       pg::Effect::kRead, R"SQL(
SELECT v.id, v.sku,
       coalesce(i.available, 0), coalesce(i.reserved, 0), coalesce(i.shipped, 0),
       coalesce(l.stock_in, 0), coalesce(l.available_sum, 0), coalesce(l.reserved_sum, 0),
       coalesce(l.shipped_sum, 0), coalesce(o.open_units, 0), coalesce(o.shipped_units, 0)
FROM product_variants v
LEFT JOIN inventory i ON i.variant_id = v.id
LEFT JOIN (
  SELECT variant_id,
         sum(available_delta + reserved_delta)
           FILTER (WHERE kind IN ('initial', 'restock', 'write_off')) AS stock_in,
         sum(available_delta) AS available_sum,
         sum(reserved_delta) AS reserved_sum,
         -sum(reserved_delta) FILTER (WHERE kind = 'ship') AS shipped_sum
  FROM inventory_movements
  GROUP BY variant_id
) l ON l.variant_id = v.id
LEFT JOIN (
  SELECT oi.variant_id,
         sum(oi.quantity) FILTER (WHERE ord.status IN ('created', 'paid')) AS open_units,
         sum(oi.quantity) FILTER (WHERE ord.status = 'shipped') AS shipped_units
  FROM order_items oi
  JOIN orders ord ON ord.id = oi.order_id
  WHERE oi.variant_id IS NOT NULL
  GROUP BY oi.variant_id
) o ON o.variant_id = v.id
ORDER BY v.id
)SQL"};

}  // namespace

std::vector<VariantStockFacts> variant_stock_facts(pg::Connection& db) {
  const pg::Result r = db.exec(kVariantStockFacts, {});
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
