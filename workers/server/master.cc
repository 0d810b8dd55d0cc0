// The master's loop, signals, stop and upgrade; serve(), which sets it up.
#include "workers/server/master.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "common/log.h"
#include "workers/server/listen_queue.h"
#include "workers/server/serve.h"

namespace server {

namespace {

constexpr int kTickMs = 100;
constexpr auto kFastStopGrace = std::chrono::seconds(2);
// The successor takes over at the latest this long after it started, ready or not.
constexpr auto kTakeoverTimeout = std::chrono::seconds(30);

sigset_t master_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2}) {
    sigaddset(&set, sig);
  }
  return set;
}

}  // namespace

const char* leave_reason_name(LeaveReason reason) {
  switch (reason) {
    case LeaveReason::kNone:
      return "none";
    case LeaveReason::kRetired:
      return "retired";
    case LeaveReason::kReload:
      return "reload";
    case LeaveReason::kMaxRequests:
      return "max_requests";
    case LeaveReason::kMaxRss:
      return "max_rss";
    case LeaveReason::kTimeout:
      return "request_timeout";
    case LeaveReason::kStop:
      return "graceful_stop";
    case LeaveReason::kFastStop:
      return "fast_stop";
  }
  return "none";
}

Master::Master(MasterSetup setup)
    : config_(std::move(setup.config)),
      sockets_(std::move(setup.sockets)),
      self_(std::move(setup.self)),
      inherited_(setup.inherited),
      db_limits_(setup.db_limits),
      board_(std::make_unique<scoreboard::Scoreboard>(setup.scoreboard_capacity)),
      master_pid_(::getpid()),
      target_(setup.target),
      runtime_target_(setup.inherited.runtime_workers),
      started_(Clock::now()) {
  scoreboard::Header& h = board_->header();
  h.master_pid.store(master_pid_);
  h.started_at_ms.store(scoreboard::wall_ms());
  h.generation.store(generation_);
  h.listen_queue.store(-1);
  takeover_pending_ = inherited_.old_master > 0;
  ops_ = std::make_unique<OpsServer>(
      std::move(sockets_.status.fd), std::move(sockets_.control.fd),
      [this](const OpsServer::HttpRequest& req) { return http(req); },
      [this](std::string_view line) { return control(line); });
}

Master::~Master() {
  if (signal_fd_ >= 0) ::close(signal_fd_);
}

bool Master::fits_database(const common::Config& config, const std::optional<DbLimits>& limits,
                           int workers, std::string& why) {
  if (!limits) return true;
  const int needed = connections_needed(config, workers);
  const int available = limits->available_for(config);
  if (needed <= available) return true;
  why = std::to_string(workers) + " workers need up to " + std::to_string(needed) +
        " connections (RELOAD_BATCH=" + std::to_string(config.reload_batch) +
        " included), but PostgreSQL allows the pool " + std::to_string(available) +
        " (max_connections " + std::to_string(limits->max_connections) + " - reserved " +
        std::to_string(limits->reserved) + " - DB_RESERVED_CONNECTIONS " +
        std::to_string(config.db_reserved_connections) + ")";
  return false;
}

int Master::run() {
  const sigset_t signals = master_signals();
  signal_fd_ = ::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) {
    common::log::error("signalfd failed", {{"reason", std::strerror(errno)}});
    return 1;
  }
  if (!takeover_pending_) write_pid_file();
  common::log::info("master started", {{"listen", config_.listen},
                                       {"status_listen", config_.status_listen},
                                       {"control_socket", config_.control_socket},
                                       {"mode", common::pool_mode_name(config_.pool_mode)},
                                       {"workers", target_},
                                       {"upgrade_from", inherited_.old_master}});

  std::vector<pollfd> fds;
  while (true) {
    fds.assign(1, pollfd{signal_fd_, POLLIN, 0});
    ops_->add_poll_fds(fds);
    if (::poll(fds.data(), fds.size(), kTickMs) > 0 && (fds[0].revents & POLLIN)) {
      signalfd_siginfo info{};
      while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
        handle_signal(static_cast<int>(info.ssi_signo));
      }
    }
    ops_->process(fds, 1);
    reap();
    board_->header().listen_queue.store(listen_queue_length(sockets_.listen.fd.get()),
                                        std::memory_order_relaxed);
    watch_requests();
    enforce_kill_deadlines();
    if (stopping_) {
      if (workers_.empty()) break;
    } else {
      manage_pool();
      if (takeover_pending_) check_takeover();
    }
  }
  remove_files();
  common::log::info("master stopped", {{"handed_over", handed_over_}});
  return 0;
}

void Master::handle_signal(int sig) {
  std::string message;
  switch (sig) {
    case SIGCHLD:
      return;  // reaped every tick
    case SIGQUIT:
      begin_stop(true, "SIGQUIT");
      return;
    case SIGTERM:
    case SIGINT:
      begin_stop(false, strsignal(sig));
      return;
    case SIGHUP:
      reload(message);
      return;
    case SIGTTIN:
      set_target(target_ + 1, "SIGTTIN", message);
      return;
    case SIGTTOU:
      set_target(target_ - 1, "SIGTTOU", message);
      return;
    case SIGUSR1:
      reopen_log();
      return;
    case SIGUSR2:
      begin_upgrade();
      return;
    default:
      return;
  }
}

void Master::begin_stop(bool graceful, const char* why) {
  if (stopping_ && (graceful || !graceful_stop_)) {
    common::log::info("already stopping", {{"signal", why}});
    return;
  }
  const bool escalating = stopping_;
  stopping_ = true;
  graceful_stop_ = graceful;
  // A successor is starting or running on our sockets: leave them to it.
  if (successor_ != 0) handed_over_ = true;
  if (graceful) {
    common::log::info("graceful stop: letting in-flight requests finish",
                      {{"by", why}, {"graceful_timeout_s", config_.graceful_timeout_s}});
  } else {
    common::log::info(escalating ? "fast stop (during graceful stop)" : "fast stop", {{"by", why}});
  }
  for (auto& [pid, w] : workers_) {
    if (graceful) {
      retire(w, LeaveReason::kStop, SIGTERM, std::chrono::seconds(config_.graceful_timeout_s));
    } else {
      w.leaving = LeaveReason::kFastStop;
      retire(w, LeaveReason::kFastStop, SIGINT, kFastStopGrace);
    }
  }
}

void Master::begin_upgrade() {
  if (stopping_ || successor_ != 0 || takeover_pending_) {
    common::log::warn("SIGUSR2 ignored: an upgrade or a stop is already under way");
    return;
  }
  if (self_.path.empty()) {
    common::log::error("SIGUSR2: the path of the running binary is unknown; cannot upgrade");
    return;
  }
  const pid_t pid = start_successor(self_, sockets_.listen.fd.get(), ops_->status_listener(),
                                    ops_->control_listener(), runtime_target_);
  if (pid < 0) {
    common::log::error("SIGUSR2: fork failed", {{"reason", std::strerror(errno)}});
    return;
  }
  successor_ = pid;
  common::log::info("upgrade: started a new master from the binary on disk",
                    {{"new_master_pid", pid}, {"binary", self_.path}});
}

// The successor's side: once its workers are ready, it is in charge.
void Master::check_takeover() {
  int ready_workers = 0;
  for (const auto& [pid, w] : workers_) ready_workers += counted(w) && ready(pid);
  const bool timed_out = Clock::now() - started_ > kTakeoverTimeout;
  if (ready_workers < target_ && !timed_out) return;
  takeover_pending_ = false;
  write_pid_file();
  if (::getppid() == inherited_.old_master) ::kill(inherited_.old_master, SIGQUIT);
  common::log::info("upgrade: new master in charge; old master asked to stop gracefully",
                    {{"old_master_pid", inherited_.old_master},
                     {"ready_workers", ready_workers},
                     {"timed_out", timed_out}});
}

void Master::reopen_log() {
  if (!config_.log_file.empty()) {
    std::string error;
    if (!common::log::redirect_to_file(config_.log_file, error)) {
      common::log::error("cannot reopen LOG_FILE", {{"reason", error}});
    }
  }
  for (const auto& [pid, w] : workers_) ::kill(pid, SIGUSR1);
  common::log::info("log file reopened", {{"log_file", config_.log_file}});
}

void Master::write_pid_file() {
  if (config_.pid_file.empty()) return;
  const std::string tmp = config_.pid_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << master_pid_ << "\n";
    if (!out) {
      common::log::warn("cannot write PID_FILE", {{"path", config_.pid_file}});
      return;
    }
  }
  if (::rename(tmp.c_str(), config_.pid_file.c_str()) != 0) {
    common::log::warn("cannot write PID_FILE",
                      {{"path", config_.pid_file}, {"reason", std::strerror(errno)}});
  }
}

void Master::remove_files() {
  if (handed_over_) return;  // the successor serves on these
  for (const std::string& path :
       {sockets_.listen.unix_path, sockets_.status.unix_path, sockets_.control.unix_path}) {
    if (!path.empty()) ::unlink(path.c_str());
  }
  std::ifstream in(config_.pid_file);
  pid_t pid = 0;
  if (in >> pid && pid == master_pid_) ::unlink(config_.pid_file.c_str());
}

// --- serve -------------------------------------------------------------------

namespace {

ListenSocket adopt(int fd, const std::string& spec) {
  ListenSocket s;
  s.fd = UniqueFd(fd);
  if (spec.starts_with("unix:")) s.unix_path = spec.substr(5);
  return s;
}

// Opens what was not inherited. Throws std::runtime_error.
Sockets open_sockets(const common::Config& config, const Inherited& inherited) {
  Sockets s;
  s.listen = inherited.listen_fd >= 0 ? adopt(inherited.listen_fd, config.listen)
                                      : open_listen_socket(config.listen, config.listen_backlog);
  s.status = inherited.status_fd >= 0 ? adopt(inherited.status_fd, config.status_listen)
                                      : open_listen_socket(config.status_listen, 64);
  const std::string control = "unix:" + config.control_socket;
  if (inherited.control_fd >= 0) {
    s.control = adopt(inherited.control_fd, control);
  } else {
    s.control = open_listen_socket(control, 16);
    ::chmod(config.control_socket.c_str(), 0600);  // whoever can connect controls the pool
  }
  return s;
}

}  // namespace

int serve(const common::Config& config) {
  if (config.database_url.empty()) {
    common::log::error("DATABASE_URL is not set");
    return 2;
  }
  if (!config.log_file.empty()) {
    std::string error;
    if (!common::log::redirect_to_file(config.log_file, error)) {
      common::log::error("cannot open LOG_FILE", {{"reason", error}});
      return 1;
    }
  }
  for (const auto& line : common::describe(config))
    common::log::info("config", {{"setting", line}});
  const int somaxconn = read_somaxconn();
  if (somaxconn > 0 && config.listen_backlog > somaxconn) {
    common::log::warn("LISTEN_BACKLOG exceeds net.core.somaxconn; the kernel caps it",
                      {{"listen_backlog", config.listen_backlog}, {"somaxconn", somaxconn}});
  }

  // Blocked before anything else so that no signal is lost between now and
  // the signalfd; workers unblock them after fork().
  const sigset_t signals = master_signals();
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  MasterSetup setup;
  setup.inherited = take_inherited();
  setup.self = read_self_exe();

  // One short-lived connection, closed before any fork().
  std::string error;
  setup.db_limits = query_db_limits(config, error);
  if (setup.db_limits) {
    common::log::info("database connection limit",
                      {{"max_connections", setup.db_limits->max_connections},
                       {"reserved", setup.db_limits->reserved},
                       {"available_to_pool", setup.db_limits->available_for(config)}});
  } else {
    common::log::warn("cannot read max_connections; pool sizes are not checked against it",
                      {{"reason", error}});
  }

  const bool dynamic = config.pool_mode == common::PoolMode::kDynamic;
  int target = dynamic ? config.min_workers : config.workers;
  if (setup.inherited.runtime_workers > 0) {
    target = std::clamp(setup.inherited.runtime_workers, config.min_workers, config.max_workers);
  }
  if (!Master::fits_database(config, setup.db_limits, dynamic ? config.max_workers : target,
                             error)) {
    common::log::error("refusing to start: pool too large for PostgreSQL", {{"reason", error}});
    return 2;
  }

  try {
    setup.sockets = open_sockets(config, setup.inherited);
  } catch (const std::exception& e) {
    common::log::error("cannot listen", {{"reason", e.what()}});
    return 1;
  }
  setup.config = config;
  setup.target = target;
  // Room for the largest pool, the replacements started ahead, and workers
  // killed but not yet reaped.
  setup.scoreboard_capacity = 2 * config.max_workers + config.reload_batch + 8;
  try {
    Master master(std::move(setup));
    return master.run();
  } catch (const std::exception& e) {
    common::log::error("master failed", {{"reason", e.what()}});
    return 1;
  }
}

}  // namespace server
