// The master process (internal to workers/server; the entry point is serve()
// in serve.h). It opens the sockets, forks its children and supervises them;
// it never serves application requests and never holds a database connection
// beyond two short-lived ones (db_admin.h).
//
// One loop, one thread, no signal handlers: signals stay blocked and arrive
// through a signalfd in the same poll() as the status and control sockets.
// Every 100 ms the loop reaps children, measures the listen queue, watches
// running requests (request_watch.h), replaces and sizes the pool
// (supervisor.h, worker_pool.h).
//
//   SIGQUIT          graceful stop: workers finish their request, GRACEFUL_TIMEOUT
//   SIGTERM, SIGINT  fast stop: workers end at once (SIGINT), SIGKILL after 2 s
//   SIGHUP           reload the configuration, replace workers RELOAD_BATCH at a time
//   SIGTTIN/SIGTTOU  one worker more / less
//   SIGUSR1          reopen LOG_FILE (and tell the workers to)
//   SIGUSR2          re-exec the binary on disk, keeping the sockets (handover.h)
//
// With $NOTIFY_SOCKET set it tells the service manager when the pool is
// ready, reloading and stopping (sd_notify.h).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/config.h"
#include "workers/server/db_admin.h"
#include "workers/server/handover.h"
#include "workers/server/listen_socket.h"
#include "workers/server/ops_routes.h"
#include "workers/server/ops_server.h"
#include "workers/server/request_watch.h"
#include "workers/server/scoreboard.h"
#include "workers/server/sd_notify.h"
#include "workers/server/supervisor.h"
#include "workers/server/upgrade.h"
#include "workers/server/worker_pool.h"

namespace server {

struct Sockets {
  ListenSocket listen;   // FastCGI, nginx -> workers
  ListenSocket status;   // FastCGI, nginx -> master (/status, /metrics)
  ListenSocket control;  // ecommerce-ctl -> master
};

struct MasterSetup {
  common::Config config;
  Sockets sockets;
  SelfExe self;
  Inherited inherited;
  std::optional<DbLimits> db_limits;
  int target = 1;
  int scoreboard_capacity = 1;
};

// The signals the master handles, blocked from start-up on and read from its
// signalfd.
sigset_t master_signals();

class Master {
 public:
  // Throws std::runtime_error when the scoreboard cannot be made.
  explicit Master(MasterSetup setup);
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  // Until stopped and every child has exited. Returns the exit code.
  int run();

 private:
  void tick();
  void reap();
  void handle_signal(int sig);
  void begin_stop(bool graceful, const char* why);
  void check_pool_ready();
  void reopen_log();
  [[nodiscard]] bool reload(std::string& message);
  [[nodiscard]] bool set_target(int n, const char* by, std::string& message);
  std::string control(std::string_view line);
  PoolView view() const;
  void close_in_child() const;
  void remove_files();

  common::Config config_;
  Sockets sockets_;
  SelfExe self_;
  std::optional<DbLimits> db_limits_;
  const pid_t master_pid_;
  const Clock::time_point started_;
  UniqueFd signal_fd_;
  scoreboard::Scoreboard board_;
  Supervisor supervisor_;
  WorkerPool pool_;
  RequestWatch watch_;
  Handover handover_;
  OpsRoutes routes_;
  OpsServer ops_;
  Notifier notifier_;

  bool stopping_ = false;
  bool graceful_stop_ = false;
  bool pool_ready_ = false;  // announced: pid file (successor), READY=1
};

}  // namespace server
