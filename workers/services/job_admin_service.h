// The admin view of the job queue (API.md "Background jobs and
// notifications"): the list, one job, and re-queueing a dead job. No HTTP:
// the handlers parse the query into a JobListRequest and render what these
// return. Also used by `ecommerce-ctl jobs`.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/pg.h"

namespace services {

struct JobListRequest {
  std::optional<std::string> queue;  // "email" | "orders" | "inventory"
  std::optional<std::string> state;  // "queued" | "running" | "done" | "dead"
  std::optional<int64_t> after;      // the cursor: jobs with a smaller id
  int limit = 20;                    // 1..100
};

// True for the queue and state names the jobs table allows.
bool is_job_queue(std::string_view queue);
bool is_job_state(std::string_view state);

// Keyset page, newest first: {items: [{id, queue, kind, state, attempts,
// max_attempts, run_at, last_error, created_at, updated_at}], pagination}.
Json::Value list_jobs(common::pg::Connection& db, const JobListRequest& request);

// The job as listed, plus `payload` and `result` (null until it has one).
// Throws AppError(kNotFound) when there is none.
Json::Value get_job(common::pg::Connection& db, int64_t job_id);

// dead -> queued (run at once, attempts reset to 0, last_error kept until the
// next run ends), waking the runners; answers the job as the retry left it
// (state "queued"), in get_job()'s shape.
// Throws AppError(kNotFound) when there is none, AppError(kInvalidState)
// with details {"state": current} when it is not dead.
Json::Value retry_job(common::pg::Connection& db, int64_t job_id);

}  // namespace services
