#include "workers/repositories/job_repository.h"

#include "common/json.h"
#include "common/pg_params.h"

namespace repo {

namespace pg = common::pg;

namespace {

// pg_notify() inside the statement: one round trip, and the notification is
// queued in the same transaction as the row.
const pg::Statement kEnqueue{"jobs.enqueue", pg::Role::kService, pg::Effect::kWrite, R"SQL(
WITH inserted AS (
  INSERT INTO jobs (queue, kind, payload, max_attempts, run_at, dedupe_key)
  VALUES ($1, $2, $3::jsonb, $4, now() + make_interval(secs => $5::bigint), $6)
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING id, queue
)
SELECT id, pg_notify('jobs', queue) IS NULL FROM inserted
)SQL"};

}  // namespace

std::optional<int64_t> enqueue_job(pg::Connection& db, const NewJob& job) {
  const pg::Result r = db.exec(
      kEnqueue, {job.queue, job.kind, common::json::write(job.payload), pg::num(job.max_attempts),
                 pg::num(job.delay_s), pg::Param(job.dedupe_key)});
  if (r.rows() == 0) return std::nullopt;
  return r.int64(0, 0);
}

}  // namespace repo
