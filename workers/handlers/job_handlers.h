// HTTP handlers of the job queue's admin routes (API.md "Background jobs and
// notifications"); all kAdmin.
#pragma once

#include "common/http.h"
#include "common/query_params.h"
#include "common/request_context.h"
#include "workers/services/job_admin_service.h"

namespace handlers {

// GET /api/v1/admin/jobs: queue (email|orders|inventory), state
// (queued|running|done|dead), limit 1..100 (default 20), after a positive id.
// Throws AppError(kValidationError) naming every bad parameter.
services::JobListRequest job_list_request(const common::QueryParams& query);

common::Response admin_list_jobs(const common::Request& req, common::RouteContext& ctx);
// GET /api/v1/admin/jobs/{id}
common::Response admin_get_job(const common::Request& req, common::RouteContext& ctx);
// POST /api/v1/admin/jobs/{id}/retry
common::Response admin_retry_job(const common::Request& req, common::RouteContext& ctx);

}  // namespace handlers
