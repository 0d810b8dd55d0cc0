#include "workers/services/inventory_sync_service.h"

#include <algorithm>
#include <unordered_map>

#include "common/error.h"
#include "workers/jobs/job_kinds.h"
#include "workers/repositories/job_repository.h"
#include "workers/services/busy_retry.h"
#include "workers/services/catalog_cache.h"
#include "workers/services/job_wake.h"

namespace services {

namespace pg = common::pg;

std::string sync_reason(const std::string& source) { return "sync:" + source; }

Json::Value to_json(const InventorySyncResult& result) {
  Json::Value out(Json::objectValue);
  Json::Value& applied = out["applied"] = Json::Value(Json::arrayValue);
  for (const SyncApplied& a : result.applied) {
    Json::Value row(Json::objectValue);
    row["sku"] = a.sku;
    row["variant_id"] = static_cast<Json::Int64>(a.variant_id);
    row["available_before"] = static_cast<Json::Int64>(a.available_before);
    row["available_after"] = static_cast<Json::Int64>(a.available_after);
    applied.append(std::move(row));
  }
  Json::Value& unknown = out["unknown_skus"] = Json::Value(Json::arrayValue);
  for (const std::string& sku : result.unknown_skus) unknown.append(sku);
  Json::Value& conflicts = out["conflicts"] = Json::Value(Json::arrayValue);
  for (const SyncConflict& c : result.conflicts) {
    Json::Value row(Json::objectValue);
    row["sku"] = c.sku;
    row["on_hand"] = static_cast<Json::Int64>(c.on_hand);
    row["reserved"] = static_cast<Json::Int64>(c.reserved);
    conflicts.append(std::move(row));
  }
  return out;
}

InventorySyncResult plan_inventory_sync(const InventorySyncRequest& request,
                                        const std::vector<repo::SkuStock>& stock) {
  std::unordered_map<std::string, const repo::SkuStock*> by_sku;
  for (const repo::SkuStock& s : stock) by_sku.emplace(s.sku, &s);
  InventorySyncResult plan;
  for (const InventoryCount& count : request.items) {
    const auto found = by_sku.find(count.sku);
    if (found == by_sku.end()) {
      plan.unknown_skus.push_back(count.sku);
      continue;
    }
    const repo::SkuStock& s = *found->second;
    if (count.on_hand < s.reserved) {
      plan.conflicts.push_back({count.sku, count.on_hand, s.reserved});
    }
    const int64_t after = std::max<int64_t>(0, count.on_hand - s.reserved);
    plan.applied.push_back({count.sku, s.variant_id, s.available, after});
  }
  return plan;
}

std::vector<repo::AvailableChange> available_changes(const InventorySyncResult& plan) {
  std::vector<repo::AvailableChange> out;
  for (const SyncApplied& a : plan.applied) {
    if (a.available_after != a.available_before) {
      out.push_back({a.variant_id, a.available_after - a.available_before});
    }
  }
  return out;
}

int64_t enqueue_inventory_sync(pg::Connection& db, const InventorySyncRequest& request,
                               int max_attempts) {
  const std::optional<int64_t> id = repo::enqueue_job(db, {.queue = jobs::kQueueInventory,
                                                           .kind = jobs::kInventorySync,
                                                           .payload = to_json(request),
                                                           .max_attempts = max_attempts,
                                                           .delay_s = 0,
                                                           .dedupe_key = std::nullopt});
  // Without a dedupe key every enqueue inserts.
  if (!id) throw common::AppError(common::ErrorCode::kInternal, "the job was not enqueued");
  wake_job_runners(db, jobs::kQueueInventory);
  return *id;
}

InventorySyncResult sync_inventory(pg::Connection& db, const InventorySyncRequest& request,
                                   common::cache::Cache* cache) {
  std::vector<std::string> skus;
  skus.reserve(request.items.size());
  for (const InventoryCount& count : request.items) skus.push_back(count.sku);
  const std::string reason = sync_reason(request.source);
  std::vector<repo::AvailableChange> changes;
  InventorySyncResult result = busy_retry_transaction(db, [&](pg::Connection& c) {
    InventorySyncResult plan = plan_inventory_sync(request, repo::lock_stock_by_sku(c, skus));
    changes = available_changes(plan);
    repo::apply_available_changes(c, changes, reason);
    return plan;
  });
  if (!changes.empty()) {
    std::vector<int64_t> variant_ids;
    for (const repo::AvailableChange& change : changes) variant_ids.push_back(change.variant_id);
    catalog_cache::variants_changed(db, cache, variant_ids);
  }
  return result;
}

}  // namespace services
