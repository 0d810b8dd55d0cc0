#include "tests/support/invariants.h"

#include <catch2/catch.hpp>
#include <limits>

#include "workers/services/stock_reconcile_service.h"

namespace test_support {

namespace pg = common::pg;

namespace {

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

}  // namespace

std::vector<std::string> stock_invariant_violations(pg::Connection& db) {
  const services::ReconcileResult result =
      services::reconcile_stock(db, std::numeric_limits<size_t>::max());
  std::vector<std::string> out;
  for (const services::VariantDrift& drift : result.drift) {
    for (const services::StockDifference& d : drift.differences) {
      out.push_back("variant " + std::to_string(drift.facts.variant_id) + ": " +
                    services::describe_check(d.check) + ": " + std::to_string(d.recorded) +
                    " recorded, " + std::to_string(d.expected) + " expected");
    }
  }
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
