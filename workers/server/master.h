// The master process (internal to workers/server; the entry point is serve()
// in serve.h). It opens the sockets, forks the workers and supervises them;
// it never serves application requests and never holds a database connection
// beyond two short-lived ones (db_admin.h).
//
// One loop, one thread, no signal handlers: signals stay blocked and arrive
// through a signalfd in the same poll() as the status and control sockets.
// Every 100 ms the loop reaps children, measures the listen queue, watches
// running requests (REQUEST_SLOW_MS, REQUEST_TIMEOUT_S), and sizes the pool.
//
//   SIGQUIT          graceful stop: workers finish their request, GRACEFUL_TIMEOUT
//   SIGTERM, SIGINT  fast stop: workers end at once (SIGINT), SIGKILL after 2 s
//   SIGHUP           reload the configuration, replace workers RELOAD_BATCH at a time
//   SIGTTIN/SIGTTOU  one worker more / less
//   SIGUSR1          reopen LOG_FILE (and tell the workers to)
//   SIGUSR2          re-exec the binary on disk, keeping the sockets (upgrade.h)
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/config.h"
#include "workers/server/db_admin.h"
#include "workers/server/listen_socket.h"
#include "workers/server/ops_server.h"
#include "workers/server/scoreboard.h"
#include "workers/server/sizing.h"
#include "workers/server/status.h"
#include "workers/server/upgrade.h"

namespace server {

using Clock = std::chrono::steady_clock;

struct Sockets {
  ListenSocket listen;   // FastCGI, nginx -> workers
  ListenSocket status;   // FastCGI, nginx -> master (/status, /metrics)
  ListenSocket control;  // ecommerce-ctl -> master
};

// Why the master asked a worker to go (or wants it replaced).
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
const char* leave_reason_name(LeaveReason reason);

struct Worker {
  pid_t pid = 0;
  int slot = 0;
  uint32_t generation = 0;
  Clock::time_point started;
  LeaveReason leaving = LeaveReason::kNone;  // asked to exit
  LeaveReason replace = LeaveReason::kNone;  // to be replaced, replacement first
  pid_t replacement = 0;                     // the worker taking over from this one
  std::optional<Clock::time_point> kill_at;  // SIGKILL if still alive then
  int64_t slow_logged_start_ns = 0;          // the request already logged as slow
  bool timed_out = false;
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

class Master {
 public:
  explicit Master(MasterSetup setup);
  ~Master();
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  // Until stopped and every worker has exited. Returns the exit code.
  int run();

  // Whether `workers` workers (plus RELOAD_BATCH) fit in what PostgreSQL
  // allows; otherwise false with the reason. True when the limit is unknown.
  static bool fits_database(const common::Config& config, const std::optional<DbLimits>& limits,
                            int workers, std::string& why);

 private:
  // master.cc: the loop, signals, stop, upgrade
  void handle_signal(int sig);
  void begin_stop(bool graceful, const char* why);
  void begin_upgrade();
  void check_takeover();
  void reopen_log();
  void write_pid_file();
  void remove_files();
  bool dynamic() const { return config_.pool_mode == common::PoolMode::kDynamic; }

  // master_pool.cc: workers
  void reap();
  void on_worker_exit(std::map<pid_t, Worker>::iterator it, int status);
  pid_t spawn(const char* why, pid_t replaces = 0);  // 0 when it could not
  void manage_pool();
  void plan_replacements();
  void retire(Worker& w, LeaveReason why, int sig, Clock::duration kill_after);
  void retire_some(int n);
  void watch_requests();
  void enforce_kill_deadlines();
  void start_canceller(int backend_pid, pid_t worker_pid);
  void close_inherited_fds_in_child() const;
  bool in_backoff() const;
  bool counted(const Worker& w) const;
  bool ready(pid_t pid) const;

  // master_ops.cc: status, metrics, control, reload
  PoolView view() const;
  OpsServer::HttpAnswer http(const OpsServer::HttpRequest& req);
  std::string control(std::string_view line);
  bool reload(std::string& message);
  bool set_target(int n, const char* by, std::string& message);

  common::Config config_;
  Sockets sockets_;
  SelfExe self_;
  Inherited inherited_;
  std::optional<DbLimits> db_limits_;
  std::unique_ptr<scoreboard::Scoreboard> board_;
  std::unique_ptr<OpsServer> ops_;
  int signal_fd_ = -1;
  const pid_t master_pid_;

  std::map<pid_t, Worker> workers_;
  std::set<pid_t> cancellers_;  // children running pg_cancel_backend
  int target_;
  int runtime_target_ = 0;  // set by TTIN/TTOU/ctl; survives reload and upgrade
  uint32_t generation_ = 1;

  bool stopping_ = false;
  bool graceful_stop_ = false;
  pid_t successor_ = 0;            // SIGUSR2: the new master, while it starts
  bool handed_over_ = false;       // stopped for a successor: leave sockets and pid file
  bool takeover_pending_ = false;  // we are the successor, not yet in charge
  Clock::time_point started_;

  Clock::time_point next_spawn_{};
  Clock::time_point last_crash_{};
  std::chrono::seconds backoff_{0};
  bool slots_full_logged_ = false;
};

}  // namespace server
