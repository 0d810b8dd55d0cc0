// The handlers of the "inventory" queue's job kinds (job_kinds.h), for the
// runner's table of handlers. Both follow job_handler.h's contract.
//
//   inventory.sync   payload {items: [{sku, on_hand}], source}: sets each
//                    variant so that available + reserved = on_hand
//                    (inventory_sync_service.h); result {applied,
//                    unknown_skus, conflicts}. A payload the endpoint would
//                    have refused is JobFailed (running it again cannot help).
//   stock.reconcile  payload {period} (only its dedupe key uses it): checks
//                    every variant's stock identities and repairs nothing
//                    (stock_reconcile_service.h); result {checked_variants,
//                    drift_variants, drift}; publishes drift_variants through
//                    ctx.report_stock_drift when the runner set it.
//
// Database failures propagate as they are (the runner retries them). Both run
// the repositories' statements (pg::Role::kService) on ctx.db, so the runner's
// connection must be opened with that role beside its own.
#pragma once

#include <json/value.h>

#include "workers/jobs/job_handler.h"

namespace jobs {

Json::Value run_inventory_sync(JobContext& ctx, const Json::Value& payload);
Json::Value run_stock_reconcile(JobContext& ctx, const Json::Value& payload);

}  // namespace jobs
