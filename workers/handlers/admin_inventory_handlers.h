// HTTP handler of POST /api/v1/admin/inventory/sync (API.md "Background jobs
// and notifications"). A kAdmin route: the central access check has set
// ctx.principal (an admin) before it runs.
#pragma once

#include "common/http.h"
#include "common/request_context.h"

namespace handlers {

// Validates the counts (inventory_sync_request.h), enqueues an inventory.sync
// job and answers 202 {job_id}; the job does the work.
common::Response admin_inventory_sync(const common::Request& req, common::RouteContext& ctx);

}  // namespace handlers
