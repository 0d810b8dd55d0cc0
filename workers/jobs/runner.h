// The job runner: claims due jobs from the queue (table jobs) and runs them
// with the handler its registry names for their kind. One Runner per
// connection; the job-runner process (workers/server/job_runner.h) drives
// one, and integration tests drive their own with test handlers.
//
// A run:
//   1. claim (repo::claim_job): the first due job, queued with run_at <= now()
//      or running with an expired lease (its runner died: it runs again),
//      FOR UPDATE SKIP LOCKED, leased to this runner for JOB_LEASE_S;
//   2. a job taken over after its last allowed attempt goes dead without
//      running ("lease expired during the last attempt");
//   3. a kind without a handler goes dead ("no handler for kind ...");
//   4. the handler runs outside any transaction on the runner's connection;
//   5. it returned: done with its result. It threw JobFailed: dead. It threw
//      anything else (JobRetry included): queued again after retry_delay()
//      with last_error = what(), or dead once attempts reach max_attempts.
// The state change of step 5 is guarded by the lease: when another runner
// took the job over meanwhile, nothing changes (and the run counts as done
// by that other runner).
//
// Waiting: LISTEN on channel repo::kJobsChannel (re-issued on every new
// session), so an enqueue wakes the runner at its commit; JOB_POLL_INTERVAL_MS
// bounds the wait, which finds delayed and retried jobs as they fall due.
//
// Periodic jobs: enqueue_periodic() enqueues stock.reconcile once per
// RECONCILE_INTERVAL_S period (dedupe key "stock.reconcile:<period>", so every
// runner on every host may try and one job results), and maintenance.cleanup
// once per hour the same way.
#pragma once

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "common/cache.h"
#include "common/config.h"
#include "common/pg.h"
#include "workers/jobs/registry.h"
#include "workers/repositories/job_queue_repository.h"

namespace jobs {

enum class RunResult { kDone, kRetry, kDead };
const char* run_result_name(RunResult result);  // "done", "retry", "dead"

struct RunnerOptions {
  // The lease owner written on claimed jobs; unique per runner (e.g.
  // "host:pid:slot").
  std::string owner;
  common::cache::Cache* cache = nullptr;  // given to handlers; null: none
  // Given to handlers as JobContext::report_stock_drift; may be empty.
  std::function<void(int64_t)> report_stock_drift;
  // Around each run (either may be empty): the claimed job, then how it
  // ended and how long the handler took.
  std::function<void(const repo::ClaimedJob&)> on_start;
  std::function<void(const repo::ClaimedJob&, RunResult, std::chrono::microseconds)> on_finish;
  // Seeds the jitter of the backoff; 0 draws one from the clock and pid.
  uint64_t seed = 0;
};

class Runner {
 public:
  // `db` must outlive the runner and be of the roles pg::Role::kService and
  // pg::Role::kJobs. `config` is copied (its settings for this runner's life:
  // a reload replaces the runner processes).
  Runner(common::pg::Connection& db, const common::Config& config, Registry registry,
         RunnerOptions options);
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Claims one due job and runs it; nullopt when none was due. Throws
  // pg::DbError when the queue's own statements fail (the database is gone):
  // a claimed job then stays running until its lease expires.
  std::optional<RunResult> run_one();

  // Runs due jobs until none is left or stop() says so. Returns how many ran.
  int run_due(const std::function<bool()>& stop);

  // Blocks until a notification on the jobs channel, JOB_POLL_INTERVAL_MS, or
  // (with `wait_mask`) a signal unblocked by that mask (ppoll). Without a
  // connection it just sleeps the interval. Throws pg::DbError when LISTEN
  // fails.
  void wait_for_work(const sigset_t* wait_mask = nullptr);

  // Enqueues the periodic jobs of the current period unless this runner did
  // already. Throws pg::DbError.
  void enqueue_periodic();

 private:
  void listen_if_needed();
  // Enqueues `kind` for the period of `interval_s` that holds now, unless
  // `last_period` says this runner did already.
  void enqueue_for_period(const char* queue, const char* kind, int64_t interval_s,
                          int64_t& last_period);
  // Steps 2 to 5 for a claimed job. Throws pg::DbError when the queue's own
  // statements fail.
  RunResult run_claimed(const repo::ClaimedJob& job);
  RunResult fail(const repo::ClaimedJob& job, const std::string& error, bool permanent);

  common::pg::Connection& db_;
  const common::Config config_;  // a copy: callers may pass a temporary
  Registry registry_;
  RunnerOptions options_;
  std::mt19937_64 rng_;
  int listening_backend_ = 0;  // backend pid of the session that LISTENs
  int64_t reconcile_period_ = -1;
  int64_t cleanup_period_ = -1;
};

// A last_error as stored: at most 2000 bytes, cut on a UTF-8 character
// boundary, invalid bytes replaced by '?'.
std::string bounded_error(std::string_view message);

}  // namespace jobs
