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
#include <vector>

namespace server {

enum class PoolMode { kStatic, kDynamic };

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

SizingDecision decide_pool_size(const SizingInput& in);

}  // namespace server
