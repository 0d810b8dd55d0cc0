#include "workers/server/pool_view.h"

#include <algorithm>

#include "workers/server/metrics.h"

namespace server {

namespace sb = scoreboard;

PoolView make_pool_view(const PoolViewSources& src) {
  const sb::Scoreboard& board = src.supervisor.board();
  const sb::Header& h = board.header();
  constexpr auto kRelaxed = std::memory_order_relaxed;
  PoolView v;
  v.master_pid = src.master_pid;
  v.mode = common::pool_mode_name(src.config.pool_mode);
  v.target = src.pool.target();
  v.min_workers = src.config.min_workers;
  v.max_workers = src.config.max_workers;
  v.started_at_ms = h.started_at_ms.load(kRelaxed);
  v.listen_queue = h.listen_queue.load(kRelaxed);
  v.listen_backlog = src.config.listen_backlog;
  v.generation = src.supervisor.generation();
  const CrashBackoff& backoff = src.supervisor.backoff();
  v.backoff_ms = backoff.delay().count() * 1000;
  const auto now = Clock::now();
  if (backoff.holding(now)) {
    v.backoff_retry_in_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(backoff.next_spawn() - now).count();
  }
  v.spawns = h.spawns.load(kRelaxed);
  v.kills = h.kills.load(kRelaxed);
  v.timeouts = h.timeouts.load(kRelaxed);
  v.slow_requests = h.slow_requests.load(kRelaxed);
  v.crash_loops = h.crash_loops.load(kRelaxed);
  v.reloads = h.reloads.load(kRelaxed);
  v.recycles = h.recycles.load(kRelaxed);
  v.worker_exits = h.worker_exits.load(kRelaxed);
  v.upgrading = src.upgrading;
  for (size_t q = 0; q < sb::kJobQueues; ++q) v.jobs.queued[q] = h.jobs_queued[q].load(kRelaxed);
  v.jobs.running = h.jobs_running.load(kRelaxed);
  v.jobs.dead = h.jobs_dead.load(kRelaxed);
  v.jobs.stock_drift_variants = h.stock_drift_variants.load(kRelaxed);
  v.now_ns = sb::monotonic_ns();
  uint64_t in_flight = 0;
  for (const auto& [pid, c] : src.supervisor.children()) {
    WorkerRow row;
    row.slot = read_slot(board, c.slot);
    row.slot.pid = pid;
    row.role = c.role->name;
    if (c.leaving != LeaveReason::kNone || row.slot.state == sb::WorkerState::kDraining) {
      row.state = "draining";
    } else if (row.slot.state == sb::WorkerState::kEmpty) {
      row.state = "starting";
    } else {
      row.state = sb::state_name(row.slot.state);
    }
    if (c.role == &kWorkerRole) {
      in_flight += row.slot.request_start_ns > 0;
    } else if (c.role == &kJobRunnerRole) {
      ++v.jobs.runners;
    }
    v.workers.push_back(std::move(row));
  }
  std::sort(v.workers.begin(), v.workers.end(),
            [](const WorkerRow& a, const WorkerRow& b) { return a.slot.index < b.slot.index; });
  v.accepted_requests = total_requests(board) + in_flight;
  return v;
}

}  // namespace server
