#include "workers/server/worker_pool.h"

#include "common/log.h"

namespace server {

namespace sb = scoreboard;

WorkerPool::WorkerPool(Supervisor& supervisor, const common::Config& config,
                       const std::optional<DbLimits>& db_limits, int target, int runtime_target)
    : supervisor_(supervisor),
      config_(config),
      db_limits_(db_limits),
      target_(target),
      runtime_target_(runtime_target) {}

SizingInput WorkerPool::sizing_input() const {
  const sb::Scoreboard& board = supervisor_.board();
  SizingInput in;
  in.mode = config_.pool_mode;
  in.target = target_;
  in.max_workers = config_.max_workers;
  in.min_spare = config_.min_spare;
  in.max_spare = config_.max_spare;
  in.idle_timeout = std::chrono::seconds(config_.idle_timeout_s);
  in.listen_queue = static_cast<int>(board.header().listen_queue.load(std::memory_order_relaxed));
  const int64_t now_ns = sb::monotonic_ns();
  for (const auto& [pid, c] : supervisor_.children()) {
    if (c.role != &kWorkerRole || !supervisor_.counted(c)) continue;
    switch (supervisor_.slot_state(c)) {
      case sb::WorkerState::kStarting:
      case sb::WorkerState::kEmpty:
        ++in.starting;
        break;
      case sb::WorkerState::kIdle: {
        ++in.idle;
        const int64_t since = board.slot(c.slot).idle_since_ns.load(std::memory_order_relaxed);
        in.idle_for.emplace_back((now_ns - since) / 1000000);
        break;
      }
      default:
        ++in.busy;
    }
  }
  return in;
}

void WorkerPool::tick() {
  const SizingDecision d = decide_pool_size(sizing_input());
  if (!supervisor_.holding()) {
    for (int i = 0; i < d.spawn; ++i) {
      if (!supervisor_.spawn(kWorkerRole, dynamic() ? "dynamic sizing" : "pool size")) break;
    }
  }
  if (d.retire > 0) supervisor_.retire_some(kWorkerRole, d.retire);
}

bool WorkerPool::set_target(int n, const char* by, std::string& message) {
  if (n < config_.min_workers || n > config_.max_workers) {
    message = "workers must stay between MIN_WORKERS (" + std::to_string(config_.min_workers) +
              ") and MAX_WORKERS (" + std::to_string(config_.max_workers) + "); asked for " +
              std::to_string(n);
    common::log::warn("pool size change refused", {{"by", by}, {"reason", message}});
    return false;
  }
  if (!fits_database(config_, db_limits_, n, message)) {
    common::log::error("pool size change refused: too many database connections",
                       {{"by", by}, {"reason", message}});
    return false;
  }
  const int before = target_;
  target_ = n;
  runtime_target_ = n;
  message = std::string(dynamic() ? "minimum workers " : "workers ") + std::to_string(before) +
            " -> " + std::to_string(n);
  common::log::info("pool size changed", {{"by", by}, {"from", before}, {"to", n}});
  return true;
}

}  // namespace server
