// A supervised child with a role: the unit the master's machinery spawns,
// watches, replaces and reaps (supervisor.h). Workers are one role; any other
// kind of helper process the master is to run (a job runner, ...) is another
// entry of the same shape, with the same spawn/reap/drain path, the same
// scoreboard slot and the same /status rows.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>

#include "workers/server/worker.h"

namespace server {

using Clock = std::chrono::steady_clock;

// A role's entry point, run in the child right after fork() with the slot the
// master prepared for it. Returns the exit code for _exit().
using ChildEntry = int (*)(const WorkerSetup& setup);

struct Role {
  uint8_t id;        // recorded in the child's scoreboard slot
  const char* name;  // /status "role", and the first word of its log events ("worker spawned")
  ChildEntry entry;
};

// The FastCGI workers (worker.h): role id 0.
extern const Role kWorkerRole;
// The job runners (job_runner.h): role id 1, "job-runner".
extern const Role kJobRunnerRole;

// Why the master asked a child to go (or wants it replaced).
enum class LeaveReason {
  kNone,
  kRetired,
  kReload,
  kMaxRequests,
  kMaxRss,
  kTimeout,
  kStop,
  kFastStop
};
// The name logs and /status use: "retired", "reload", "max_requests", ...
const char* leave_reason_name(LeaveReason reason);

// The master's bookkeeping of one child; what the child itself publishes is
// in its scoreboard slot.
struct Child {
  pid_t pid = 0;
  const Role* role = &kWorkerRole;
  int slot = 0;
  uint32_t generation = 0;  // the pool generation it was started in
  Clock::time_point started;
  LeaveReason leaving = LeaveReason::kNone;  // asked to exit
  LeaveReason replace = LeaveReason::kNone;  // to be replaced, replacement first
  pid_t replacement = 0;                     // the child taking over from this one
  std::optional<Clock::time_point> kill_at;  // SIGKILL if still alive then
  int64_t slow_logged_start_ns = 0;          // the request already logged as slow
  bool timed_out = false;
};

}  // namespace server
