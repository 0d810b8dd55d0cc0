// The master process: opens the listening socket, forks the workers, and only
// supervises. Signals are not handled asynchronously at all: they stay blocked
// and the loop takes them with sigtimedwait(), so no handler runs in the master.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <map>

#include "common/log.h"
#include "workers/server/listen_socket.h"
#include "workers/server/serve.h"
#include "workers/server/worker.h"

namespace server {

namespace {

using Clock = std::chrono::steady_clock;

// A worker that dies this soon after its start counts as a start-up crash.
constexpr auto kStartupWindow = std::chrono::seconds(2);
constexpr auto kMaxBackoff = std::chrono::seconds(30);

struct WorkerInfo {
  Clock::time_point started;
};

class Master {
 public:
  Master(const common::Config& config, ListenSocket socket)
      : config_(config), socket_(std::move(socket)) {}

  int run() {
    sigset_t set = handled_signals();
    while (true) {
      reap();
      if (stopping_) {
        if (workers_.empty()) break;
        if (Clock::now() >= stop_deadline_) kill_all(SIGKILL, "graceful timeout reached");
      } else {
        spawn_missing();
      }
      timespec tick{0, 200 * 1000 * 1000};
      siginfo_t info;
      const int sig = sigtimedwait(&set, &info, &tick);
      if (sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) begin_stop(sig);
    }
    if (!socket_.unix_path.empty()) ::unlink(socket_.unix_path.c_str());
    common::log::info("master stopped");
    return 0;
  }

  static sigset_t handled_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP}) sigaddset(&set, sig);
    return set;
  }

 private:
  void spawn_missing() {
    if (Clock::now() < next_spawn_) return;
    while (static_cast<int>(workers_.size()) < config_.workers) {
      const pid_t pid = ::fork();
      if (pid < 0) {
        common::log::error("fork failed", {{"errno", errno}, {"reason", std::strerror(errno)}});
        next_spawn_ = Clock::now() + std::chrono::seconds(1);
        return;
      }
      if (pid == 0) {
        ::_exit(run_worker(config_, socket_.fd.get(), master_pid_));
      }
      workers_[pid] = {Clock::now()};
      common::log::info("worker spawned", {{"worker_pid", pid}});
    }
  }

  void reap() {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      auto it = workers_.find(pid);
      if (it == workers_.end()) continue;
      const auto lived = Clock::now() - it->second.started;
      workers_.erase(it);
      log_exit(pid, status);
      if (stopping_) continue;
      const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      if (!clean && lived < kStartupWindow) {
        // Crashing at start-up again and again: back off (1 s, 2 s, ... 30 s).
        backoff_ = backoff_.count() == 0
                       ? std::chrono::seconds(1)
                       : std::min<std::chrono::seconds>(backoff_ * 2, kMaxBackoff);
        next_spawn_ = Clock::now() + backoff_;
        common::log::warn("worker crash loop, delaying respawn",
                          {{"delay_s", static_cast<int>(backoff_.count())}});
      } else {
        backoff_ = std::chrono::seconds(0);
      }
    }
  }

  static void log_exit(pid_t pid, int status) {
    if (WIFEXITED(status)) {
      const int code = WEXITSTATUS(status);
      common::log::write(code == 0 ? common::log::Level::kInfo : common::log::Level::kWarn,
                         "worker exited", {{"worker_pid", pid}, {"exit_code", code}});
    } else if (WIFSIGNALED(status)) {
      const int sig = WTERMSIG(status);
      common::log::warn("worker killed by signal",
                        {{"worker_pid", pid}, {"signal", sig}, {"signal_name", strsignal(sig)}});
    }
  }

  void begin_stop(int sig) {
    if (stopping_) {
      // A second stop signal means "now".
      kill_all(SIGKILL, "second stop signal");
      return;
    }
    stopping_ = true;
    stop_deadline_ = Clock::now() + std::chrono::seconds(config_.graceful_timeout_s);
    common::log::info(
        "stopping: letting in-flight requests finish",
        {{"signal", strsignal(sig)}, {"graceful_timeout_s", config_.graceful_timeout_s}});
    kill_all(SIGTERM, "stop");
  }

  void kill_all(int sig, const char* why) {
    if (sig == SIGKILL) common::log::warn("killing workers", {{"reason", why}});
    for (const auto& [pid, info] : workers_) ::kill(pid, sig);
  }

  const common::Config& config_;
  ListenSocket socket_;
  const pid_t master_pid_ = ::getpid();
  std::map<pid_t, WorkerInfo> workers_;
  bool stopping_ = false;
  Clock::time_point stop_deadline_{};
  Clock::time_point next_spawn_{};
  std::chrono::seconds backoff_{0};
};

}  // namespace

int serve(const common::Config& config) {
  if (config.database_url.empty()) {
    common::log::error("DATABASE_URL is not set");
    return 2;
  }
  for (const auto& line : common::describe(config))
    common::log::info("config", {{"setting", line}});
  const int somaxconn = read_somaxconn();
  if (somaxconn > 0 && config.listen_backlog > somaxconn) {
    common::log::warn("LISTEN_BACKLOG exceeds net.core.somaxconn; the kernel caps it",
                      {{"listen_backlog", config.listen_backlog}, {"somaxconn", somaxconn}});
  }

  // Blocked before anything else so that no signal is lost between now and
  // the first sigtimedwait(); workers unblock them after fork().
  sigset_t set = Master::handled_signals();
  sigprocmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  ListenSocket socket;
  try {
    socket = open_listen_socket(config.listen, config.listen_backlog);
  } catch (const std::exception& e) {
    common::log::error("cannot listen", {{"listen", config.listen}, {"reason", e.what()}});
    return 1;
  }
  common::log::info("master started", {{"listen", config.listen}, {"workers", config.workers}});
  Master master(config, std::move(socket));
  return master.run();
}

}  // namespace server
