#include "workers/server/sizing.h"

#include <algorithm>

namespace server {

SizingDecision decide_pool_size(const SizingInput& in) {
  const int live = in.starting + in.idle + in.busy;
  SizingDecision d;
  if (in.mode == PoolMode::kStatic) {
    d.spawn = std::max(0, in.target - live);
    d.retire = std::max(0, live - in.target);
    return d;
  }

  const int floor = std::min(in.target, in.max_workers);
  if (live > in.max_workers) {
    d.retire = live - in.max_workers;
    return d;
  }
  int want = std::max(0, floor - live);
  const int spare = in.idle + in.starting;
  want = std::max(want, in.min_spare - spare);
  if (in.listen_queue > 0 && in.idle == 0) {
    // Requests are waiting and nobody is free: one more per waiting
    // connection, beyond those already starting, at most max_spare per tick.
    want = std::max(want, std::min(in.listen_queue, std::max(in.max_spare, 1)) - in.starting);
  }
  d.spawn = std::clamp(want, 0, in.max_workers - live);
  if (d.spawn > 0) return d;

  if (in.idle > in.max_spare && live > floor) {
    const int long_idle = static_cast<int>(
        std::count_if(in.idle_for.begin(), in.idle_for.end(),
                      [&](std::chrono::milliseconds t) { return t >= in.idle_timeout; }));
    d.retire = std::min({in.idle - in.max_spare, live - floor, long_idle});
  }
  return d;
}

int pool_target(const common::Config& config, int runtime_target) {
  if (runtime_target > 0) {
    return std::clamp(runtime_target, config.min_workers, config.max_workers);
  }
  return config.pool_mode == PoolMode::kDynamic ? config.min_workers : config.workers;
}

int largest_pool(const common::Config& config, int target) {
  return config.pool_mode == PoolMode::kDynamic ? config.max_workers : target;
}

bool fits_database(const common::Config& config, const std::optional<DbLimits>& limits, int workers,
                   std::string& why) {
  if (!limits) return true;
  const int needed = connections_needed(config, workers);
  const int available = limits->available_for(config);
  if (needed <= available) return true;
  why = std::to_string(workers) + " workers need up to " + std::to_string(needed) +
        " connections (JOB_RUNNERS=" + std::to_string(config.job_runners) +
        " and RELOAD_BATCH=" + std::to_string(config.reload_batch) +
        " included), but PostgreSQL allows the pool " + std::to_string(available) +
        " (max_connections " + std::to_string(limits->max_connections) + " - reserved " +
        std::to_string(limits->reserved) + " - DB_RESERVED_CONNECTIONS " +
        std::to_string(config.db_reserved_connections) + ")";
  return false;
}

namespace {
// Slots kept beyond twice MAX_WORKERS and RELOAD_BATCH.
constexpr int kSpareSlots = 8;
// Slots for job runners: twice the most JOB_RUNNERS allows (a runner and its
// replacement), whatever JOB_RUNNERS is, so that a reload may raise it.
constexpr int kJobRunnerSlots = 2 * 16;
}  // namespace

int scoreboard_capacity(const common::Config& config) {
  return 2 * config.max_workers + config.reload_batch + kSpareSlots + kJobRunnerSlots;
}

int max_workers_within(int capacity) { return (capacity - kSpareSlots - kJobRunnerSlots) / 2; }

}  // namespace server
