// The pool of FastCGI workers: how many the master keeps, and applying the
// sizing policy (sizing.h, pure) to what the supervisor runs, once per tick.
//
// The target is WORKERS (static) or MIN_WORKERS (dynamic, the floor), until
// an operator sets a count at runtime (SIGTTIN/SIGTTOU, `ecommerce-ctl
// workers`): that count survives reloads and upgrades.
#pragma once

#include <optional>
#include <string>

#include "common/config.h"
#include "workers/server/db_admin.h"
#include "workers/server/sizing.h"
#include "workers/server/supervisor.h"

namespace server {

class WorkerPool {
 public:
  // `supervisor`, `config` and `db_limits` must outlive the pool; `config`
  // is read on every call, so a reload that assigns it is seen at once.
  WorkerPool(Supervisor& supervisor, const common::Config& config,
             const std::optional<DbLimits>& db_limits, int target, int runtime_target);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Spawns or retires workers as decide_pool_size() says. No spawning while
  // the crash backoff holds.
  void tick();

  // Sets the target to `n` at runtime ("pool size changed", by `by`). False,
  // logged, with the reason in `message`, when n is outside MIN_WORKERS..
  // MAX_WORKERS or the pool would not fit PostgreSQL's connection limit.
  [[nodiscard]] bool set_target(int n, const char* by, std::string& message);
  // After a reload: the target the new configuration gives.
  void reset_target(int target) { target_ = target; }

  int target() const { return target_; }
  // 0 when no count was set at runtime.
  int runtime_target() const { return runtime_target_; }
  bool dynamic() const { return config_.pool_mode == PoolMode::kDynamic; }

 private:
  SizingInput sizing_input() const;

  Supervisor& supervisor_;
  const common::Config& config_;
  const std::optional<DbLimits>& db_limits_;
  int target_;
  int runtime_target_;
};

}  // namespace server
