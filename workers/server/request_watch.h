// Watching the requests the workers run, from their scoreboard slots, once
// per tick (job runners are not watched: a job is bounded by its lease):
//   - past REQUEST_SLOW_MS: logged once per request ("slow request");
//   - past REQUEST_TIMEOUT_S: logged ("request timed out; ..."), its query
//     cancelled (pg_cancel_backend from a short-lived child, so the master's
//     loop never waits on the database), and the child retired with SIGTERM,
//     SIGKILL 2 s later if it has not answered and exited by then.
#pragma once

#include <sys/types.h>

#include <functional>
#include <set>

#include "common/config.h"
#include "workers/server/supervisor.h"

namespace server {

class RequestWatch {
 public:
  // `config` and `supervisor` must outlive the watch. `close_in_child` runs in
  // each canceller child, as for the supervisor's children.
  RequestWatch(Supervisor& supervisor, const common::Config& config,
               std::function<void()> close_in_child);

  void tick();
  // For a pid waitpid() returned: true when it was a canceller (which logged
  // its outcome itself: "query cancelled" / "query cancel failed").
  bool on_exit(pid_t pid) { return cancellers_.erase(pid) > 0; }

 private:
  void start_canceller(int backend_pid, pid_t child_pid);

  Supervisor& supervisor_;
  const common::Config& config_;
  std::function<void()> close_in_child_;
  std::set<pid_t> cancellers_;
};

}  // namespace server
