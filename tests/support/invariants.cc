#include "tests/support/invariants.h"

#include <catch2/catch.hpp>

namespace test_support {

namespace pg = common::pg;

namespace {

// Per variant: the inventory row, the ledger sums, and the units held by
// orders, each computed in its own grouped subquery.
const pg::Statement kStockFacts{"test.invariants.stock_facts", pg::Role::kTest, pg::Effect::kRead,
                                R"SQL(
SELECT i.variant_id, i.available, i.reserved, i.shipped,
       coalesce(l.stock_in, 0), coalesce(l.available_sum, 0), coalesce(l.reserved_sum, 0),
       coalesce(l.shipped_sum, 0), coalesce(o.open_units, 0), coalesce(o.shipped_units, 0)
FROM inventory i
LEFT JOIN (
  SELECT variant_id,
         sum(available_delta + reserved_delta)
           FILTER (WHERE kind IN ('initial', 'restock', 'write_off')) AS stock_in,
         sum(available_delta) AS available_sum,
         sum(reserved_delta) AS reserved_sum,
         -sum(reserved_delta) FILTER (WHERE kind = 'ship') AS shipped_sum
  FROM inventory_movements
  GROUP BY variant_id
) l ON l.variant_id = i.variant_id
LEFT JOIN (
  SELECT oi.variant_id,
         sum(oi.quantity) FILTER (WHERE ord.status IN ('created', 'paid')) AS open_units,
         sum(oi.quantity) FILTER (WHERE ord.status = 'shipped') AS shipped_units
  FROM order_items oi
  JOIN orders ord ON ord.id = oi.order_id
  GROUP BY oi.variant_id
) o ON o.variant_id = i.variant_id
ORDER BY i.variant_id
)SQL"};

const pg::Statement kRecordInitial{"test.invariants.record_initial", pg::Role::kTest,
                                   pg::Effect::kWrite, R"SQL(
INSERT INTO inventory_movements (variant_id, kind, available_delta, reserved_delta, reason)
SELECT i.variant_id, 'initial', i.available, i.reserved, 'test fixture'
FROM inventory i
WHERE i.variant_id = $1
  AND NOT EXISTS (SELECT 1 FROM inventory_movements m WHERE m.variant_id = i.variant_id)
)SQL"};

const pg::Statement kStockOf{
    "test.invariants.stock_of", pg::Role::kTest, pg::Effect::kRead,
    "SELECT available, reserved, shipped FROM inventory WHERE variant_id = $1"};

std::string n(int64_t v) { return std::to_string(v); }

}  // namespace

std::vector<std::string> stock_invariant_violations(pg::Connection& db) {
  db.command("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", pg::Effect::kRead);
  std::vector<std::string> out;
  try {
    const pg::Result r = db.exec(kStockFacts, {});
    for (int row = 0; row < r.rows(); ++row) {
      const std::string variant = "variant " + r.str(row, 0) + ": ";
      const int64_t available = r.int64(row, 1), reserved = r.int64(row, 2),
                    shipped = r.int64(row, 3), stock_in = r.int64(row, 4),
                    available_sum = r.int64(row, 5), reserved_sum = r.int64(row, 6),
                    shipped_sum = r.int64(row, 7), open_units = r.int64(row, 8),
                    shipped_units = r.int64(row, 9);
      if (stock_in != available + reserved + shipped) {
        out.push_back(variant + "initial + restocks - write-offs " + n(stock_in) +
                      " != available " + n(available) + " + reserved " + n(reserved) +
                      " + shipped " + n(shipped));
      }
      if (available_sum != available) {
        out.push_back(variant + "ledger available " + n(available_sum) + " != " + n(available));
      }
      if (reserved_sum != reserved) {
        out.push_back(variant + "ledger reserved " + n(reserved_sum) + " != " + n(reserved));
      }
      if (shipped_sum != shipped) {
        out.push_back(variant + "ledger shipped " + n(shipped_sum) + " != " + n(shipped));
      }
      if (open_units != reserved) {
        out.push_back(variant + "units in created/paid orders " + n(open_units) + " != reserved " +
                      n(reserved));
      }
      if (shipped_units != shipped) {
        out.push_back(variant + "units in shipped orders " + n(shipped_units) + " != shipped " +
                      n(shipped));
      }
    }
  } catch (...) {
    db.command("ROLLBACK", pg::Effect::kWrite);
    throw;
  }
  db.command("COMMIT", pg::Effect::kWrite);
  return out;
}

void require_stock_invariants(pg::Connection& db) {
  const std::vector<std::string> violations = stock_invariant_violations(db);
  for (const std::string& v : violations) UNSCOPED_INFO(v);
  CHECK(violations.empty());
}

void record_initial_stock(pg::Connection& db, int64_t variant_id) {
  static_cast<void>(db.exec(kRecordInitial, {std::to_string(variant_id)}));
}

std::ostream& operator<<(std::ostream& out, const Stock& stock) {
  return out << "{available " << stock.available << ", reserved " << stock.reserved << ", shipped "
             << stock.shipped << "}";
}

Stock stock_of(pg::Connection& db, int64_t variant_id) {
  const pg::Result r = db.exec(kStockOf, {std::to_string(variant_id)});
  REQUIRE(r.rows() == 1);
  return {r.int64(0, 0), r.int64(0, 1), r.int64(0, 2)};
}

int64_t make_stocked_variant(pg::Connection& db, int64_t product_id, const VariantSpec& spec) {
  const int64_t variant = make_variant(db, product_id, spec);
  record_initial_stock(db, variant);
  return variant;
}

}  // namespace test_support
