#include "workers/jobs/retry_policy.h"

#include <algorithm>

namespace jobs {

AfterFailure after_failure(int attempts, int max_attempts, bool permanent) {
  return permanent || attempts >= max_attempts ? AfterFailure::kDead : AfterFailure::kRetry;
}

std::chrono::milliseconds retry_delay(int attempts, std::chrono::milliseconds base,
                                      std::chrono::milliseconds cap, double unit) {
  const int doublings = std::clamp(attempts - 1, 0, 40);
  // base <= 3600000 ms and 2^40 would overflow; stop doubling past the cap.
  int64_t d = base.count();
  for (int i = 0; i < doublings && d < cap.count(); ++i) d *= 2;
  d = std::min(d, static_cast<int64_t>(cap.count()));
  const double u = std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(d / 2 +
                                   static_cast<int64_t>(u * static_cast<double>(d - d / 2)));
}

}  // namespace jobs
