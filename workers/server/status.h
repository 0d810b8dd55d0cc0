// /status (API.md "Operations") and `ecommerce-ctl status`: the pool as the
// master sees it, rendered from a PoolView the master assembles from the
// scoreboard and its own bookkeeping.
#pragma once

#include <json/value.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "workers/server/scoreboard.h"

namespace server {

// One supervised child (child.h), whatever its role.
struct WorkerRow {
  scoreboard::SlotView slot;
  std::string role = "worker";  // its role's name
  // What /status shows: the slot's state, except "draining" for a worker the
  // master has asked to leave (it may still be finishing a request).
  std::string state;
};

// The job queue as the runners last counted it (scoreboard header).
struct JobsView {
  int runners = 0;                                       // job-runner processes alive
  std::array<int64_t, scoreboard::kJobQueues> queued{};  // by queue (job_queue_name)
  int64_t running = 0;
  int64_t dead = 0;
  int64_t stock_drift_variants = 0;
  int64_t queued_total() const;
};

struct PoolView {
  pid_t master_pid = 0;
  std::string mode;  // "static" | "dynamic"
  int target = 0;    // static: the count; dynamic: the floor
  int min_workers = 0;
  int max_workers = 0;
  int64_t started_at_ms = 0;
  int64_t listen_queue = -1;
  int listen_backlog = 0;
  uint32_t generation = 0;
  int64_t backoff_ms = 0;           // the current crash backoff delay; 0 = none
  int64_t backoff_retry_in_ms = 0;  // > 0 while spawning waits for it
  uint64_t accepted_requests = 0;   // finished + in flight, since the master started
  uint64_t spawns = 0, kills = 0, timeouts = 0, slow_requests = 0, crash_loops = 0, reloads = 0,
           recycles = 0, worker_exits = 0;
  bool upgrading = false;          // a SIGUSR2 successor is starting
  int64_t now_ns = 0;              // scoreboard::monotonic_ns() when assembled
  std::vector<WorkerRow> workers;  // every child, whatever its role
  JobsView jobs;

  // Children of the worker role in `state` (job runners are not counted).
  int count(std::string_view state) const;
  // Children of the worker role.
  int worker_count() const;
};

// The `data` object of /status; `full` adds "processes", one per child, each
// with its "role". "workers", "idle", "busy", ... count workers only; "jobs"
// is {runners, queued, running, dead}.
Json::Value status_data(const PoolView& view, bool full);

// "2026-11-25T10:15:30.123000+00:00" for a wall-clock time in ms.
std::string rfc3339_ms(int64_t wall_ms);

}  // namespace server
