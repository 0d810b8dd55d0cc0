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

// The facts of the first `limit` variants with an id above `after_variant_id`,
// by ascending id (fewer than `limit`: the last page). Each page is one
// statement; to see every page in one snapshot, read them all in one
// REPEATABLE READ transaction.
[[nodiscard]] std::vector<VariantStockFacts> variant_stock_facts(common::pg::Connection& db,
                                                                 int64_t after_variant_id,
                                                                 int limit);

}  // namespace repo
