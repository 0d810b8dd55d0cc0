#include "workers/jobs/inventory_jobs.h"

#include "common/error.h"
#include "common/json.h"
#include "workers/jobs/job_kinds.h"
#include "workers/services/inventory_sync_service.h"
#include "workers/services/stock_reconcile_service.h"

namespace jobs {

namespace {

// The request a payload holds, or JobFailed naming what is wrong with it.
services::InventorySyncRequest sync_request(const Json::Value& payload) {
  if (!payload.isObject()) throw JobFailed("inventory.sync payload is not a JSON object");
  try {
    return services::parse_inventory_sync(payload);
  } catch (const common::AppError& e) {
    throw JobFailed(std::string("inventory.sync payload: ") + e.what() + " " +
                    common::json::write(e.details()));
  }
}

}  // namespace

Json::Value run_inventory_sync(JobContext& ctx, const Json::Value& payload) {
  const services::InventorySyncRequest request = sync_request(payload);
  return services::to_json(services::sync_inventory(ctx.db, request, ctx.cache));
}

Json::Value run_stock_reconcile(JobContext& ctx, const Json::Value& /*payload*/) {
  const services::ReconcileResult result = services::reconcile_stock(ctx.db);
  if (ctx.report_stock_drift) ctx.report_stock_drift(result.drift_variants);
  return services::to_json(result);
}

}  // namespace jobs
