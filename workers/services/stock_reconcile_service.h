// Stock reconciliation (API.md "Background jobs and notifications"): checks
// the stock identities of every variant and reports the ones out of balance.
// It repairs nothing: drift means some write moved stock without its ledger
// row or its order (a bug, or a hand-edited database), and which side is right
// is for a person to decide.
//
// The identities, per variant (migrations 0002 and 0003):
//   ledger_stock_in   initial + restocks - write-offs = available + reserved + shipped
//   ledger_available  sum of the ledger's available_delta = available
//   ledger_reserved   sum of the ledger's reserved_delta  = reserved
//   ledger_shipped    units the ledger's "ship" rows took  = shipped
//   open_orders       units in created or paid orders      = reserved
//   shipped_orders    units in shipped orders              = shipped
// The test suites check the same identities with the same code
// (tests/support/invariants.h).
#pragma once

#include <json/value.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/pg.h"
#include "workers/repositories/stock_audit_repository.h"

namespace services {

// How many drifting variants a result lists (the count covers all of them).
inline constexpr size_t kMaxListedDrift = 100;

// One identity that does not hold: `recorded` is the inventory row's side,
// `expected` what the ledger or the orders say it should be.
struct StockDifference {
  const char* check;  // an identity's name above, e.g. "open_orders"
  int64_t recorded;
  int64_t expected;
};

// Pure: the identities `facts` break, in the order listed above; empty when
// the variant is in balance.
std::vector<StockDifference> stock_differences(const repo::VariantStockFacts& facts);

// What an identity says, for people: "units in created/paid orders vs reserved".
const char* describe_check(const char* check);

struct VariantDrift {
  repo::VariantStockFacts facts;
  std::vector<StockDifference> differences;  // not empty
};

struct ReconcileResult {
  int64_t checked_variants = 0;
  int64_t drift_variants = 0;       // all that drift
  std::vector<VariantDrift> drift;  // the first of them (max_listed) by variant id
};

// Reads every variant's facts, a page at a time in one REPEATABLE READ
// READ ONLY transaction (so all from one snapshot), and checks them; lists at
// most `max_listed` drifting variants. Throws pg::DbError.
ReconcileResult reconcile_stock(common::pg::Connection& db, size_t max_listed = kMaxListedDrift);

// {checked_variants, drift_variants, drift: [{variant_id, sku, available,
//  reserved, shipped, differences: [{check, recorded, expected}]}]}: the
// stock.reconcile job's result.
Json::Value to_json(const ReconcileResult& result);

}  // namespace services
