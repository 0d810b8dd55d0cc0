#include "workers/services/job_admin_service.h"

#include <array>

#include "common/error.h"
#include "common/json.h"
#include "common/pagination.h"
#include "workers/repositories/job_admin_repository.h"
#include "workers/services/job_wake.h"

namespace services {

using common::AppError;
using common::ErrorCode;

namespace {

constexpr std::array<std::string_view, 3> kQueues{"email", "orders", "inventory"};
constexpr std::array<std::string_view, 4> kStates{"queued", "running", "done", "dead"};

Json::Value summary_json(const repo::JobRow& job) {
  Json::Value out(Json::objectValue);
  out["id"] = static_cast<Json::Int64>(job.id);
  out["queue"] = job.queue;
  out["kind"] = job.kind;
  out["state"] = job.state;
  out["attempts"] = job.attempts;
  out["max_attempts"] = job.max_attempts;
  out["run_at"] = job.run_at;
  out["last_error"] = common::json::or_null(job.last_error);
  out["created_at"] = job.created_at;
  out["updated_at"] = job.updated_at;
  return out;
}

Json::Value detail_json(const repo::JobRow& job) {
  Json::Value out = summary_json(job);
  out["payload"] = common::json::parse_trusted(job.payload_json);
  out["result"] = job.result_json ? common::json::parse_trusted(*job.result_json) : Json::Value();
  return out;
}

repo::JobRow found_job(common::pg::Connection& db, int64_t job_id) {
  auto job = repo::find_job(db, job_id);
  if (!job) throw AppError(ErrorCode::kNotFound, "job not found");
  return std::move(*job);
}

}  // namespace

bool is_job_queue(std::string_view queue) {
  for (const std::string_view q : kQueues) {
    if (q == queue) return true;
  }
  return false;
}

bool is_job_state(std::string_view state) {
  for (const std::string_view s : kStates) {
    if (s == state) return true;
  }
  return false;
}

Json::Value list_jobs(common::pg::Connection& db, const JobListRequest& request) {
  repo::JobFilter filter;
  filter.queue = request.queue;
  filter.state = request.state;
  filter.before_id = request.after;
  filter.fetch = request.limit + 1;
  return common::keyset_page(repo::list_jobs(db, filter), request.limit, summary_json);
}

Json::Value get_job(common::pg::Connection& db, int64_t job_id) {
  return detail_json(found_job(db, job_id));
}

Json::Value retry_job(common::pg::Connection& db, int64_t job_id) {
  if (auto retried = repo::retry_dead_job(db, job_id)) {
    wake_job_runners(db, retried->queue);
    return detail_json(*retried);
  }
  const repo::JobRow job = found_job(db, job_id);
  Json::Value details(Json::objectValue);
  details["state"] = job.state;
  throw AppError(ErrorCode::kInvalidState,
                 "only a dead job can be retried; this one is " + job.state, details);
}

}  // namespace services
