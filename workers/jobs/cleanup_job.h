// The maintenance.cleanup job (queue orders, payload {period}), enqueued once
// an hour by the runners (Runner::enqueue_periodic): deletes expired records
// no request comes back for (services::delete_expired_records). Result:
// {"idempotency_keys": N, "refresh_tokens": N, "login_attempts": N,
// "registration_attempts": N}, the rows deleted. Idempotent.
#pragma once

#include <json/value.h>

#include "workers/jobs/job_handler.h"

namespace jobs {

Json::Value run_cleanup(JobContext& ctx, const Json::Value& payload);

}  // namespace jobs
