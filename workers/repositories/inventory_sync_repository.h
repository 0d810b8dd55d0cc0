// The stock side of an inventory sync: locking the inventory rows of a list of
// skus and setting their `available`, each change recorded in the
// inventory_movements ledger in the same statement. Named SQL only; both run
// inside the caller's transaction.
//
// Lock order: lock_stock_by_sku() takes the row locks in ascending variant id,
// as order_stock_repository.h's lock_inventory() does for checkout, cancel,
// refund and shipment, so a sync never deadlocks with them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/pg.h"

namespace repo {

struct SkuStock {
  int64_t variant_id;
  std::string sku;
  int64_t available;
  int64_t reserved;
};

// The inventory rows of the variants with these skus, SELECT ... FOR UPDATE in
// ascending variant id and held until the transaction ends (a variant without
// an inventory row gets one with zero stock first). Skus that name no variant
// are missing from the answer, which is sorted by variant id.
[[nodiscard]] std::vector<SkuStock> lock_stock_by_sku(common::pg::Connection& db,
                                                      const std::vector<std::string>& skus);

struct AvailableChange {
  int64_t variant_id;
  int64_t delta;  // not 0; the caller has checked `available + delta` stays in 0..2^31-1
};

// available += delta for each change, and one ledger row each: kind "restock"
// (delta > 0) or "write_off" (delta < 0), reserved_delta 0, `reason`, no
// actor and no order. Call with the rows locked by lock_stock_by_sku(). Throws
// AppError(kInternal) when a variant has no inventory row.
void apply_available_changes(common::pg::Connection& db,
                             const std::vector<AvailableChange>& changes,
                             const std::string& reason);

}  // namespace repo
