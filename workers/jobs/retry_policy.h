// What happens to a job whose run failed, as pure functions (no I/O): queued
// again after an exponential backoff with jitter, or dead.
#pragma once

#include <chrono>

namespace jobs {

enum class AfterFailure { kRetry, kDead };

// Dead when the failure is permanent (JobFailed) or this was the last allowed
// run (attempts >= max_attempts); otherwise retried.
AfterFailure after_failure(int attempts, int max_attempts, bool permanent);

// The delay before run number attempts + 1, after `attempts` failed runs
// (attempts >= 1): d = min(cap, base * 2^(attempts - 1)), then "equal
// jitter": d/2 + unit * d/2, where unit in [0, 1) is the caller's random
// draw. So the delay lies in [d/2, d) and never passes the cap.
std::chrono::milliseconds retry_delay(int attempts, std::chrono::milliseconds base,
                                      std::chrono::milliseconds cap, double unit);

}  // namespace jobs
