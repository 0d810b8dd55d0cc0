// Inventory sync (API.md "Background jobs and notifications"): the endpoint
// enqueues the counts as an inventory.sync job; the job sets each variant's
// stock so that available + reserved = on_hand.
//
// Rules of a sync run:
//   * `reserved` (what open orders hold) is never touched: available becomes
//     on_hand - reserved; a count below `reserved` sets available to 0 and
//     is listed as a conflict (the shop has sold units the count says are
//     not there: a person has to look).
//   * Every change of `available` appends one inventory_movements row
//     ("restock" or "write_off", reason "sync:{source}"), so the stock
//     identities of the ledger keep holding; a variant already at its count
//     gets no row.
//   * One transaction for the whole request, the inventory rows locked in
//     ascending variant id (the order checkout locks them in), so a sync and
//     concurrent checkouts serialise without deadlock and nothing is sold
//     that the count did not leave available.
//   * Idempotent: a second run with the same counts finds every variant at
//     its count and changes nothing.
//   * After the commit, the catalogue answers of the changed variants are
//     invalidated (catalog_cache.h; `cache` may be nullptr).
#pragma once

#include <json/value.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/cache.h"
#include "common/pg.h"
#include "workers/repositories/inventory_sync_repository.h"
#include "workers/services/inventory_sync_request.h"

namespace services {

// The ledger reason of a sync's changes: "sync:{source}".
std::string sync_reason(const std::string& source);

struct SyncApplied {
  std::string sku;
  int64_t variant_id = 0;
  int64_t available_before = 0;
  int64_t available_after = 0;  // equal to available_before when unchanged
  bool operator==(const SyncApplied&) const = default;
};
struct SyncConflict {
  std::string sku;
  int64_t on_hand = 0;
  int64_t reserved = 0;
  bool operator==(const SyncConflict&) const = default;
};
// Every item of the request is in `applied` (its sku names a variant) or in
// `unknown_skus`, in request order; a conflict is in both `applied` and
// `conflicts`.
struct InventorySyncResult {
  std::vector<SyncApplied> applied;
  std::vector<std::string> unknown_skus;
  std::vector<SyncConflict> conflicts;
};

// {applied: [{sku, variant_id, available_before, available_after}],
//  unknown_skus: [...], conflicts: [{sku, on_hand, reserved}]}: the job's result.
Json::Value to_json(const InventorySyncResult& result);

// Pure: what a run does to the locked rows (`stock` as lock_stock_by_sku()
// returned them).
InventorySyncResult plan_inventory_sync(const InventorySyncRequest& request,
                                        const std::vector<repo::SkuStock>& stock);
// The changes of `available` a plan makes (its unchanged variants left out).
std::vector<repo::AvailableChange> available_changes(const InventorySyncResult& plan);

// Enqueues the inventory.sync job (queue "inventory") for `request` on the
// caller's connection, outside any transaction (the statement commits it),
// wakes that queue's runners and returns the job's id.
int64_t enqueue_inventory_sync(common::pg::Connection& db, const InventorySyncRequest& request,
                               int max_attempts);

// Runs the sync (the job's effect) and returns what it did. Throws
// pg::DbError when the database fails; a serialization failure or deadlock
// that outlasts busy_retry.h's attempts is AppError(kUnavailable).
InventorySyncResult sync_inventory(common::pg::Connection& db, const InventorySyncRequest& request,
                                   common::cache::Cache* cache);

}  // namespace services
