#include "workers/repositories/job_repository.h"

#include "common/json.h"
#include "common/pg_params.h"

namespace repo {

namespace pg = common::pg;

namespace {

const pg::Statement kEnqueue{"jobs.enqueue", pg::Role::kService, pg::Effect::kWrite, R"SQL(
INSERT INTO jobs (queue, kind, payload, max_attempts, run_at, dedupe_key)
VALUES ($1, $2, $3::jsonb, $4, now() + make_interval(secs => $5::bigint), $6)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id
)SQL"};

// Effect kRead: it changes no row, and a wake-up sent twice only wakes the
// runners twice, so it may be re-sent on a new connection.
const pg::Statement kWake{"jobs.wake", pg::Role::kService, pg::Effect::kRead, R"SQL(
SELECT pg_notify('jobs', $1)
)SQL"};

}  // namespace

std::optional<int64_t> enqueue_job(pg::Connection& db, const NewJob& job) {
  const pg::Result r = db.exec(
      kEnqueue, {job.queue, job.kind, common::json::write(job.payload), pg::num(job.max_attempts),
                 pg::num(job.delay_s), pg::Param(job.dedupe_key)});
  if (r.rows() == 0) return std::nullopt;
  return r.int64(0, 0);
}

void wake_job_runners(pg::Connection& db, const std::string& queue) {
  static_cast<void>(db.exec(kWake, {queue}));
}

}  // namespace repo
