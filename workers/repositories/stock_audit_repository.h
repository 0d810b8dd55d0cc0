// What the stock identities are checked against (stock_reconcile_service.h):
// per variant, its inventory row, the sums of its inventory_movements ledger
// and the units its orders hold. Named SQL only; reads, never writes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/pg.h"

namespace repo {

struct VariantStockFacts {
  int64_t variant_id = 0;
  std::string sku;
  // The inventory row (all 0 for a variant without one).
  int64_t available = 0;
  int64_t reserved = 0;
  int64_t shipped = 0;
  // The ledger: initial + restocks - write-offs (stock that came in or left
  // the shop), and the sums of available_delta, reserved_delta and of the
  // units "ship" rows took out of reserved.
  int64_t ledger_stock_in = 0;
  int64_t ledger_available = 0;
  int64_t ledger_reserved = 0;
  int64_t ledger_shipped = 0;
  // Units of the variant in orders that are created or paid (they hold
  // reserved stock), and in shipped orders.
  int64_t open_order_units = 0;
  int64_t shipped_order_units = 0;
};

// Every variant's facts, by ascending variant id, read by one statement (so
// from one snapshot: a transaction that moves stock is seen whole or not at
// all).
[[nodiscard]] std::vector<VariantStockFacts> variant_stock_facts(common::pg::Connection& db);

}  // namespace repo
