// The stock invariants, checked from the database. For every variant:
//
//   1. initial + restocks - write-offs = available + reserved + shipped
//      (left: the inventory_movements ledger; right: the inventory row);
//   2. the ledger adds up to the inventory row: sum(available_delta) =
//      available, sum(reserved_delta) = reserved, -sum(reserved_delta of
//      "ship" rows) = shipped;
//   3. reserved = the units of the variant in orders that are created or paid,
//      shipped = the units in shipped orders (no order restocked twice, none
//      left holding stock after a cancel or refund).
//
// Run them after every concurrency test (and any test that moves stock):
//
//   test_support::require_stock_invariants(db);
//
// They are the identities the stock reconciliation job checks, by the same
// code (services/stock_reconcile_service.h), read in one snapshot.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "common/pg.h"
#include "tests/support/factories.h"

namespace test_support {

// One line per violated invariant ("variant 7: units in created/paid orders
// vs reserved: 2 recorded, 3 expected"); empty when all hold.
std::vector<std::string> stock_invariant_violations(common::pg::Connection& db);

// CHECKs that stock_invariant_violations() is empty, printing each violation.
void require_stock_invariants(common::pg::Connection& db);

// Gives a variant without any ledger row an "initial" row for its current
// stock (available and reserved), as a variant created through the API has.
// Does nothing when the variant has ledger rows already.
void record_initial_stock(common::pg::Connection& db, int64_t variant_id);

// A variant's inventory row.
struct Stock {
  int64_t available;
  int64_t reserved;
  int64_t shipped;
  bool operator==(const Stock&) const = default;
};
std::ostream& operator<<(std::ostream& out, const Stock& stock);  // for Catch2 messages
Stock stock_of(common::pg::Connection& db, int64_t variant_id);

// make_variant() followed by record_initial_stock(): a variant whose stock the
// invariants account for.
int64_t make_stocked_variant(common::pg::Connection& db, int64_t product_id,
                             const VariantSpec& spec = {});

}  // namespace test_support
