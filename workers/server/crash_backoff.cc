#include "workers/server/crash_backoff.h"

#include <algorithm>

namespace server {

std::chrono::seconds CrashBackoff::on_crash(Clock::time_point now) {
  delay_ = delay_.count() == 0 ? std::chrono::seconds(1)
                               : std::min<std::chrono::seconds>(delay_ * 2, kMaxDelay);
  next_spawn_ = now + delay_;
  last_crash_ = now;
  return delay_;
}

bool CrashBackoff::expire(Clock::time_point now) {
  if (delay_.count() == 0 || now - last_crash_ <= delay_ + 2 * kStartupWindow) return false;
  delay_ = std::chrono::seconds(0);
  return true;
}

}  // namespace server
