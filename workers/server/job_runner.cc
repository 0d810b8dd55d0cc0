#include "workers/server/job_runner.h"

#include <poll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>

#include "common/log.h"
#include "common/read_replica.h"
#include "workers/jobs/registry.h"
#include "workers/jobs/runner.h"
#include "workers/repositories/job_queue_repository.h"
#include "workers/server/child_process.h"
#include "workers/server/proc_stats.h"

namespace server {

namespace {

namespace sb = scoreboard;
namespace pg = common::pg;
using Clock = std::chrono::steady_clock;

constexpr auto kRelaxed = std::memory_order_relaxed;
constexpr auto kRefreshEvery = std::chrono::seconds(1);

sb::JobResult job_result(jobs::RunResult result) {
  switch (result) {
    case jobs::RunResult::kDone:
      return sb::JobResult::kDone;
    case jobs::RunResult::kRetry:
      return sb::JobResult::kRetry;
    case jobs::RunResult::kDead:
      return sb::JobResult::kDead;
  }
  return sb::JobResult::kDone;
}

// The queue's gauges into the scoreboard header, for the master's /status
// and /metrics.
void publish_counts(pg::Connection& db, sb::Header& h) {
  std::array<int64_t, sb::kJobQueues> queued{};
  int64_t running = 0, dead = 0;
  for (const repo::JobCount& c : repo::count_jobs(db)) {
    if (c.state == "running") {
      running += c.count;
    } else if (c.state == "dead") {
      dead += c.count;
    } else if (const int q = sb::job_queue_index(c.queue); q >= 0) {
      queued[static_cast<size_t>(q)] += c.count;
    }
  }
  for (size_t q = 0; q < sb::kJobQueues; ++q) h.jobs_queued[q].store(queued[q], kRelaxed);
  h.jobs_running.store(running, kRelaxed);
  h.jobs_dead.store(dead, kRelaxed);
  h.jobs_counted_at_ms.store(sb::wall_ms(), kRelaxed);
}

}  // namespace

pg::ConnectionOptions job_runner_db_options(const common::Config& config) {
  pg::ConnectionOptions o = worker_db_options(config);
  o.roles = pg::Roles{pg::Role::kService, pg::Role::kJobs};
  o.application_name = "ecommerce-job-runner";
  return o;
}

std::string job_lease_owner() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] != '\0' ? host : "localhost") + ":" + std::to_string(::getpid());
}

int run_job_runner(const WorkerSetup& setup) {
  const common::Config& config = setup.config;
  const sigset_t wait_mask = install_child_signals();
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != setup.master_pid) return 0;

  sb::SlotWriter slot(setup.slot);
  publish_db_work(slot);
  sb::Header& header = setup.header;

  pg::Connection db(job_runner_db_options(config));
  try {
    db.ensure_connected();
  } catch (const pg::DbError& e) {
    common::log::warn("database not reachable at job runner start", {{"detail", e.what()}});
  }
  common::cache::Cache cache(child_cache_options(config), setup.cache_shared);
  // With a read replica, the catalogue writes of jobs (expiry, inventory sync)
  // record the primary's WAL position with their invalidations, as the
  // workers' writes do, so replicas keep serving after them.
  if (!config.database_read_url.empty()) {
    cache.set_commit_position([&db] { return common::primary_wal_position(db); });
  }

  jobs::RunnerOptions options;
  options.owner = job_lease_owner();
  options.cache = &cache;
  options.report_stock_drift = [&header](int64_t variants) {
    header.stock_drift_variants.store(variants, kRelaxed);
  };
  options.on_start = [&slot](const repo::ClaimedJob& job) { slot.begin_job(job.kind, job.id); };
  options.on_finish = [&slot](const repo::ClaimedJob& job, jobs::RunResult result,
                              std::chrono::microseconds took) {
    slot.end_job(sb::job_queue_index(job.queue), job_result(result), took.count());
  };
  jobs::Runner runner(db, config, jobs::job_registry(), std::move(options));

  slot.set_rss(resident_bytes());
  slot.set_state(sb::WorkerState::kIdle);
  common::log::info("job runner started", {{"generation", setup.slot.generation.load(kRelaxed)},
                                           {"lease_owner", job_lease_owner()}});

  const char* reason = "asked to stop";
  Clock::time_point last_refresh{};
  const auto stopping = [] { return g_child_signals.stop != 0 || stop_pending(); };
  while (!g_child_signals.stop) {
    if (g_child_signals.reopen_log) {
      g_child_signals.reopen_log = 0;
      reopen_child_log(config);
    }
    if (getppid() != setup.master_pid) {
      reason = "master gone";
      break;
    }
    try {
      runner.enqueue_periodic();
      runner.run_due(stopping);
      if (Clock::now() - last_refresh >= kRefreshEvery) {
        last_refresh = Clock::now();
        publish_counts(db, header);
        slot.set_rss(resident_bytes());
      }
      if (stopping()) {
        // Let the pending signal in (ppoll with a zero timeout) and leave.
        const timespec now{0, 0};
        ::ppoll(nullptr, 0, &now, &wait_mask);
        continue;
      }
      runner.wait_for_work(&wait_mask);
    } catch (const std::exception& e) {
      common::log::warn("job runner: database trouble; retrying", {{"detail", e.what()}});
      const timespec pause{0, 500 * 1000 * 1000};
      ::ppoll(nullptr, 0, &pause, &wait_mask);
    }
  }
  slot.set_state(sb::WorkerState::kDraining);
  common::log::info("job runner stopping",
                    {{"reason", reason}, {"jobs", static_cast<Json::UInt64>(slot.requests())}});
  return 0;
}

}  // namespace server
