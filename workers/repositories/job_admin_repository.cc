#include "workers/repositories/job_admin_repository.h"

#include "common/pg_params.h"
#include "common/time_util.h"

namespace repo {

namespace pg = common::pg;

namespace {

// Served by jobs_queue_state_id_idx / jobs_state_id_idx, or the primary key.
const pg::Statement kList{"jobs.admin_list", pg::Role::kService, pg::Effect::kRead, R"SQL(
SELECT id, queue, kind, state, attempts, max_attempts, run_at, last_error, created_at, updated_at
FROM jobs
WHERE ($1::text IS NULL OR queue = $1)
  AND ($2::text IS NULL OR state = $2)
  AND ($3::bigint IS NULL OR id < $3)
ORDER BY id DESC
LIMIT $4
)SQL"};

const pg::Statement kFind{"jobs.admin_find", pg::Role::kService, pg::Effect::kRead, R"SQL(
SELECT id, queue, kind, state, attempts, max_attempts, run_at, last_error, created_at, updated_at,
       payload::text, result::text
FROM jobs
WHERE id = $1
)SQL"};

const pg::Statement kRetryDead{"jobs.admin_retry_dead", pg::Role::kService, pg::Effect::kWrite,
                               R"SQL(
WITH moved AS (
  UPDATE jobs
  SET state = 'queued', attempts = 0, run_at = now(), lease_owner = NULL,
      lease_expires_at = NULL, updated_at = now()
  WHERE id = $1 AND state = 'dead'
  RETURNING id, queue, kind, state, attempts, max_attempts, run_at, last_error, created_at,
            updated_at, payload::text AS payload, result::text AS result
)
SELECT id, queue, kind, state, attempts, max_attempts, run_at, last_error, created_at, updated_at,
       payload, result
FROM moved
)SQL"};

JobRow row_of(const pg::Result& r, int i) {
  JobRow job;
  job.id = r.int64(i, 0);
  job.queue = r.str(i, 1);
  job.kind = r.str(i, 2);
  job.state = r.str(i, 3);
  job.attempts = static_cast<int>(r.int64(i, 4));
  job.max_attempts = static_cast<int>(r.int64(i, 5));
  job.run_at = common::pg_timestamp_to_rfc3339(r.text(i, 6));
  job.last_error = r.opt_str(i, 7);
  job.created_at = common::pg_timestamp_to_rfc3339(r.text(i, 8));
  job.updated_at = common::pg_timestamp_to_rfc3339(r.text(i, 9));
  return job;
}

// The first row with payload and result (columns 10 and 11), if any.
std::optional<JobRow> detail_of(const pg::Result& r) {
  if (r.rows() == 0) return std::nullopt;
  JobRow job = row_of(r, 0);
  job.payload_json = r.str(0, 10);
  job.result_json = r.opt_str(0, 11);
  return job;
}

}  // namespace

std::vector<JobRow> list_jobs(pg::Connection& db, const JobFilter& filter) {
  const pg::Result r = db.exec(
      kList, {filter.queue, filter.state, pg::opt_num(filter.before_id), pg::num(filter.fetch)});
  std::vector<JobRow> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(row_of(r, i));
  return out;
}

std::optional<JobRow> find_job(pg::Connection& db, int64_t id) {
  return detail_of(db.exec(kFind, {pg::num(id)}));
}

std::optional<JobRow> retry_dead_job(pg::Connection& db, int64_t id) {
  return detail_of(db.exec(kRetryDead, {pg::num(id)}));
}

}  // namespace repo
