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

}  // namespace server
