#include "workers/repositories/job_queue_repository.h"

#include "common/json.h"
#include "common/pg_params.h"

namespace repo {

namespace pg = common::pg;

namespace {

// Each branch reads the head of its own partial index of 0005 (the earliest
// due queued job; the earliest expired lease), so a claim reads a few rows
// however many jobs are due. One query with the OR of both made PostgreSQL
// collect and sort every due job for each claim: a backlog of 100,000 due
// jobs (SMTP down for a while) would have cost a scan of all of them per job.
// The branch that loses keeps its row lock only until this statement commits.
const pg::Statement kClaim{"jobs.claim", pg::Role::kJobs, pg::Effect::kWrite, R"SQL(
WITH due AS (
  SELECT id, run_at, false AS taken_over
  FROM jobs
  WHERE state = 'queued' AND run_at <= now()
  ORDER BY run_at, id
  LIMIT 1
  FOR UPDATE SKIP LOCKED
), expired AS (
  SELECT id, run_at, true AS taken_over
  FROM jobs
  WHERE state = 'running' AND lease_expires_at <= now()
  ORDER BY lease_expires_at
  LIMIT 1
  FOR UPDATE SKIP LOCKED
), next AS (
  SELECT id, taken_over
  FROM (SELECT * FROM due UNION ALL SELECT * FROM expired) candidates
  ORDER BY run_at, id
  LIMIT 1
)
UPDATE jobs j
SET state = 'running', attempts = j.attempts + 1, lease_owner = $1,
    lease_expires_at = now() + make_interval(secs => $2::integer), updated_at = now()
FROM next
WHERE j.id = next.id
RETURNING j.id, j.queue, j.kind, j.payload::text, j.attempts, j.max_attempts, next.taken_over
)SQL"};

const pg::Statement kComplete{"jobs.complete", pg::Role::kJobs, pg::Effect::kWrite, R"SQL(
UPDATE jobs
SET state = 'done', result = $3::jsonb, last_error = NULL, lease_owner = NULL,
    lease_expires_at = NULL, updated_at = now()
WHERE id = $1 AND state = 'running' AND lease_owner = $2
)SQL"};

const pg::Statement kRequeue{"jobs.requeue", pg::Role::kJobs, pg::Effect::kWrite, R"SQL(
UPDATE jobs
SET state = 'queued', run_at = now() + make_interval(secs => $3::bigint / 1000.0),
    last_error = $4, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
WHERE id = $1 AND state = 'running' AND lease_owner = $2
)SQL"};

const pg::Statement kBury{"jobs.bury", pg::Role::kJobs, pg::Effect::kWrite, R"SQL(
UPDATE jobs
SET state = 'dead', last_error = $3, lease_owner = NULL, lease_expires_at = NULL,
    updated_at = now()
WHERE id = $1 AND state = 'running' AND lease_owner = $2
)SQL"};

// Done jobs come in id order roughly as they finished: jobs_state_id_idx.
const pg::Statement kDeleteDone{"jobs.delete_done", pg::Role::kJobs, pg::Effect::kWrite, R"SQL(
DELETE FROM jobs
WHERE id IN (SELECT id FROM jobs
             WHERE state = 'done' AND updated_at <= now() - make_interval(secs => $1::bigint)
             ORDER BY id
             LIMIT $2
             FOR UPDATE SKIP LOCKED)
)SQL"};

const pg::Statement kCount{"jobs.count", pg::Role::kJobs, pg::Effect::kRead, R"SQL(
SELECT queue, state, count(*)
FROM jobs
WHERE state IN ('queued', 'running', 'dead')
GROUP BY queue, state
)SQL"};

}  // namespace

int delete_done_jobs(pg::Connection& db, int64_t retention_s, int limit) {
  return db.exec(kDeleteDone, {pg::num(retention_s), pg::num(limit)}).affected();
}

std::optional<ClaimedJob> claim_job(pg::Connection& db, const std::string& owner, int lease_s) {
  const pg::Result r = db.exec(kClaim, {owner, pg::num(lease_s)});
  if (r.rows() == 0) return std::nullopt;
  ClaimedJob job;
  job.id = r.int64(0, 0);
  job.queue = r.str(0, 1);
  job.kind = r.str(0, 2);
  job.payload = common::json::parse_trusted(r.str(0, 3));
  job.attempts = static_cast<int>(r.int64(0, 4));
  job.max_attempts = static_cast<int>(r.int64(0, 5));
  job.lease_taken_over = r.boolean(0, 6);
  return job;
}

bool complete_job(pg::Connection& db, int64_t id, const std::string& owner,
                  const Json::Value& result) {
  const pg::Param result_text =
      result.isNull() ? pg::Param() : pg::Param(common::json::write(result));
  return db.exec(kComplete, {pg::num(id), owner, result_text}).affected() == 1;
}

bool requeue_job(pg::Connection& db, int64_t id, const std::string& owner, int64_t delay_ms,
                 const std::string& last_error) {
  return db.exec(kRequeue, {pg::num(id), owner, pg::num(delay_ms), last_error}).affected() == 1;
}

bool bury_job(pg::Connection& db, int64_t id, const std::string& owner,
              const std::string& last_error) {
  return db.exec(kBury, {pg::num(id), owner, last_error}).affected() == 1;
}

std::vector<JobCount> count_jobs(pg::Connection& db) {
  const pg::Result r = db.exec(kCount, {});
  std::vector<JobCount> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back({r.str(i, 0), r.str(i, 1), r.int64(i, 2)});
  return out;
}

}  // namespace repo
