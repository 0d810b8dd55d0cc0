// The stock side of orders: locking inventory rows and moving units between
// available, reserved and shipped, each movement recorded in the
// inventory_movements ledger in the same statement. Named SQL only.
//
// Lock order: every transaction that changes several inventory rows locks them
// first with lock_inventory(), which takes the row locks in ascending variant
// id, so concurrent checkouts, cancels, refunds and shipments never deadlock
// on each other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.h"

namespace repo {

struct StockLevel {
  int64_t variant_id;
  int64_t available;
  int64_t reserved;
};

// Inside a transaction: SELECT ... FOR UPDATE of the inventory rows of these
// variants, in ascending variant id, held until the transaction ends. Variants
// without an inventory row are missing from the answer (sorted by variant id).
std::vector<StockLevel> lock_inventory(common::pg::Connection& db,
                                       const std::vector<int64_t>& variant_ids);

// One ledger row: a variant's change in available, reserved and shipped units.
struct StockMovement {
  int64_t variant_id;
  int64_t available_delta;
  int64_t reserved_delta;
  int64_t shipped_delta;
};

// Applies the movements to the inventory rows and appends one ledger row each
// (kind: "reserve" | "release" | "ship"; the ledger keeps available_delta and
// reserved_delta), all in one statement. Call with the rows locked by
// lock_inventory(). Throws AppError(kInternal) when a variant has no
// inventory row; a CHECK violation (a count going below 0) surfaces as
// pg::DbError(kCheckViolation).
void apply_stock_movements(common::pg::Connection& db, const std::string& kind,
                           const std::vector<StockMovement>& movements, int64_t order_id,
                           std::optional<int64_t> actor_user_id, const std::string& reason);

// Units per variant of an order's lines whose variant still exists, by
// ascending variant id: what a cancel, refund or shipment moves.
struct OrderUnits {
  int64_t variant_id;
  int64_t quantity;
};
std::vector<OrderUnits> order_units(common::pg::Connection& db, int64_t order_id);

}  // namespace repo
