// The job queue as the admin endpoints see it (API.md "Background jobs and
// notifications"): the list, one job, and re-queueing a dead one. Named SQL
// only, statements of pg::Role::kService (they run in the workers).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.h"

namespace repo {

struct JobRow {
  int64_t id = 0;
  std::string queue;
  std::string kind;
  std::string state;
  int attempts = 0;
  int max_attempts = 0;
  std::string run_at;  // RFC 3339
  std::optional<std::string> last_error;
  std::string created_at;  // RFC 3339
  std::string updated_at;  // RFC 3339
  // Only filled by find_job():
  std::string payload_json;                // the payload as stored (jsonb text)
  std::optional<std::string> result_json;  // null until done (or no result)
};

struct JobFilter {
  std::optional<std::string> queue;
  std::optional<std::string> state;
  std::optional<int64_t> before_id;  // keyset: jobs with id < before_id
  int fetch = 21;                    // rows at most (a page plus one to learn has_more)
};

// Newest first (id descending), filtered; without payload and result.
std::vector<JobRow> list_jobs(common::pg::Connection& db, const JobFilter& filter);

// The job with payload and result, or nullopt.
[[nodiscard]] std::optional<JobRow> find_job(common::pg::Connection& db, int64_t id);

// dead -> queued, run_at now(), attempts 0, last_error kept (the caller wakes
// the runners: job_repository.h). The job as the UPDATE left it (with payload
// and result) when it was dead and moved; nullopt leaves it untouched (no
// such job, or in another state).
[[nodiscard]] std::optional<JobRow> retry_dead_job(common::pg::Connection& db, int64_t id);

}  // namespace repo
