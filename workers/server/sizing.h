// How many workers to start or retire right now: a pure function of the pool's
// settings and what the scoreboard shows, called by the master on every tick.
//
// Static mode keeps exactly `target`. Dynamic mode keeps between `target` (the
// floor: MIN_WORKERS, or what TTIN/TTOU/ecommerce-ctl set) and `max_workers`:
//   - it starts workers while spare ones (idle + starting) are fewer than
//     `min_spare`, or while connections wait in the listen queue and no worker
//     is idle;
//   - it retires idle workers only while more than `max_spare` are idle, and
//     only those idle for `idle_timeout` or longer.
// Workers still starting count as spare, so a tick never spawns again for a
// need already being met; a worker just started is not idle long enough to be
// retired; and retiring stops at max_spare idle, which is at least min_spare,
// so spawning and retiring never chase each other.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/config.h"
#include "workers/server/db_admin.h"

namespace server {

using common::PoolMode;

struct SizingInput {
  PoolMode mode = PoolMode::kStatic;
  int target = 1;  // static: the count; dynamic: the floor
  int max_workers = 1;
  int min_spare = 1;
  int max_spare = 3;
  std::chrono::milliseconds idle_timeout{10000};
  // Workers that count (not leaving, not already being replaced).
  int starting = 0;
  int idle = 0;
  int busy = 0;
  int listen_queue = 0;  // connections waiting for accept(); -1 when unknown
  // How long each idle worker has been idle.
  std::vector<std::chrono::milliseconds> idle_for;
};

struct SizingDecision {
  int spawn = 0;
  int retire = 0;  // the master retires idle workers first
  bool operator==(const SizingDecision&) const = default;
};

[[nodiscard]] SizingDecision decide_pool_size(const SizingInput& in);

// The pool's target (static: the count; dynamic: the floor) for a
// configuration: WORKERS or MIN_WORKERS, unless a count was set at runtime
// (TTIN/TTOU/ecommerce-ctl, > 0), which wins, kept between MIN_WORKERS and
// MAX_WORKERS. Used at start, after an upgrade, and on reload.
int pool_target(const common::Config& config, int runtime_target);

// The most workers a pool of `target` may run: MAX_WORKERS in dynamic mode,
// the target in static mode. What fits_database() is asked about.
int largest_pool(const common::Config& config, int target);

// Whether `workers` workers (plus JOB_RUNNERS and RELOAD_BATCH replacements) fit in what
// PostgreSQL allows the pool; otherwise false with the reason in `why`. True
// when the limit is unknown.
[[nodiscard]] bool fits_database(const common::Config& config,
                                 const std::optional<DbLimits>& limits, int workers,
                                 std::string& why);

// Scoreboard slots for a configuration: the largest pool, the replacements
// started ahead, children killed but not yet reaped, and the job runners.
int scoreboard_capacity(const common::Config& config);
// The largest MAX_WORKERS a scoreboard of `capacity` slots serves (a reload
// asking for more needs a restart).
int max_workers_within(int capacity);

}  // namespace server
