// Spawning held back after start-up crashes: a child that dies within
// kStartupWindow of its start, not asked to, doubles the delay before the next
// spawn (1 s, 2 s, 4 s, ... kMaxDelay). A crash longer ago than the delay plus
// two start-up windows no longer counts, and the delay starts again at 1 s.
// Pure bookkeeping over the times it is given; the supervisor publishes it.
#pragma once

#include <chrono>

namespace server {

class CrashBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kStartupWindow{2};
  static constexpr std::chrono::seconds kMaxDelay{30};

  // Whether a child that lived `lived` and did not exit cleanly crashed at start-up.
  static bool is_startup_crash(Clock::duration lived) { return lived < kStartupWindow; }

  // Records a start-up crash at `now`; returns the new delay.
  std::chrono::seconds on_crash(Clock::time_point now);
  // Forgets an old crash. True when a delay was in force and is now cleared.
  bool expire(Clock::time_point now);
  // Holds spawning back until `until` without counting a crash (fork failed).
  void pause_until(Clock::time_point until) { next_spawn_ = until; }

  bool holding(Clock::time_point now) const { return now < next_spawn_; }
  std::chrono::seconds delay() const { return delay_; }
  Clock::time_point next_spawn() const { return next_spawn_; }

 private:
  std::chrono::seconds delay_{0};
  Clock::time_point next_spawn_{};
  Clock::time_point last_crash_{};
};

}  // namespace server
