// The job runner's statements on the queue (table jobs, migration 0005), of
// pg::Role::kJobs: claim, and the guarded UPDATEs that end a run. Named SQL
// only; the runner's rules (what to retry, the backoff) are in workers/jobs/.
//
// Every state change is one UPDATE guarded by the state and the lease it
// expects (state = 'running' AND lease_owner = owner): a runner whose lease
// ran out and whose job another runner took over changes nothing, and learns
// so from the false it gets back.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.h"

namespace repo {

struct ClaimedJob {
  int64_t id = 0;
  std::string queue;
  std::string kind;
  Json::Value payload;
  int attempts = 0;  // counting this run
  int max_attempts = 0;
  bool lease_taken_over = false;  // it was running under a lease that expired
};

// One statement: of the first due queued job (run_at <= now(), in (run_at,
// id) order) and the running job whose lease expired first, the one first in
// (run_at, id) order, locked FOR UPDATE SKIP LOCKED (so concurrent runners
// never claim the same job), set running with attempts + 1, lease_owner =
// owner and lease_expires_at = now() + lease_s. It reads a few rows however
// many jobs are due. nullopt when nothing is due. Outside a transaction (it
// is one).
[[nodiscard]] std::optional<ClaimedJob> claim_job(common::pg::Connection& db,
                                                  const std::string& owner, int lease_s);

// running -> done with the handler's result (null: none). False when the
// job is no longer this owner's.
[[nodiscard]] bool complete_job(common::pg::Connection& db, int64_t id, const std::string& owner,
                                const Json::Value& result);

// running -> queued again at now() + delay_ms, with last_error. False when
// the job is no longer this owner's.
[[nodiscard]] bool requeue_job(common::pg::Connection& db, int64_t id, const std::string& owner,
                               int64_t delay_ms, const std::string& last_error);

// running -> dead, with last_error. False when the job is no longer this
// owner's.
[[nodiscard]] bool bury_job(common::pg::Connection& db, int64_t id, const std::string& owner,
                            const std::string& last_error);

// Deletes up to `limit` done jobs last changed more than `retention_s` ago
// (rows other transactions hold are skipped); returns how many went. Dead jobs
// stay until an admin retries them. A deleted job's dedupe key is free again,
// which is safe: per-order keys are enqueued once, at their order's event,
// and a period's key never comes back.
int delete_done_jobs(common::pg::Connection& db, int64_t retention_s, int limit);

// Jobs by queue and state, for the gauges (jobs_queued, /status jobs): every
// (queue, state) with at least one job in state queued, running or dead.
struct JobCount {
  std::string queue;
  std::string state;
  int64_t count = 0;
};
std::vector<JobCount> count_jobs(common::pg::Connection& db);

}  // namespace repo
