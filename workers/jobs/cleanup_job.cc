#include "workers/jobs/cleanup_job.h"

#include "workers/services/housekeeping.h"

namespace jobs {

Json::Value run_cleanup(JobContext& ctx, const Json::Value&) {
  const services::HousekeepingCounts counts = services::delete_expired_records(ctx.db, ctx.config);
  Json::Value result(Json::objectValue);
  result["idempotency_keys"] = static_cast<Json::Int64>(counts.idempotency_keys);
  result["refresh_tokens"] = static_cast<Json::Int64>(counts.refresh_tokens);
  result["login_attempts"] = static_cast<Json::Int64>(counts.login_attempts);
  result["registration_attempts"] = static_cast<Json::Int64>(counts.registration_attempts);
  result["done_jobs"] = static_cast<Json::Int64>(counts.done_jobs);
  return result;
}

}  // namespace jobs
