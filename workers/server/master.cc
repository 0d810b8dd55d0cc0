#include "workers/server/master.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <vector>

#include "common/bcrypt_gate.h"
#include "common/json.h"
#include "common/log.h"
#include "workers/server/control.h"
#include "workers/server/fcgi_accept.h"
#include "workers/server/listen_queue.h"
#include "workers/server/pid_file.h"
#include "workers/server/pool_view.h"
#include "workers/server/reload.h"

namespace server {

namespace {

constexpr int kTickMs = 100;
// The pool counts as ready at the latest this long after the master started,
// ready workers or not (a successor then takes over regardless).
constexpr auto kReadyTimeout = std::chrono::seconds(30);

void check_notified(bool sent, const char* what) {
  if (!sent) {
    common::log::warn("cannot notify the service manager",
                      {{"message", what}, {"reason", std::strerror(errno)}});
  }
}

}  // namespace

sigset_t master_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2}) {
    sigaddset(&set, sig);
  }
  return set;
}

Master::Master(MasterSetup setup)
    : config_(std::move(setup.config)),
      sockets_(std::move(setup.sockets)),
      self_(std::move(setup.self)),
      db_limits_(setup.db_limits),
      master_pid_(::getpid()),
      started_(Clock::now()),
      board_(setup.scoreboard_capacity),
      supervisor_(
          {config_, board_, sockets_.listen.fd.get(), master_pid_, [this] { close_in_child(); }}),
      pool_(supervisor_, config_, db_limits_, setup.target, setup.inherited.runtime_workers),
      watch_(supervisor_, config_, [this] { close_in_child(); }),
      handover_(setup.inherited.old_master),
      routes_([this] { return view(); }, board_, config_),
      ops_(
          std::move(sockets_.status.fd), std::move(sockets_.control.fd),
          [this](const common::Request& req) { return routes_.answer(req); },
          [this](std::string_view line) { return control(line); },
          listen_allowlist(config_.status_listen, config_.fcgi_allowed_addrs)),
      notifier_(Notifier::from_environment()) {
  scoreboard::Header& h = board_.header();
  h.master_pid.store(master_pid_);
  h.started_at_ms.store(scoreboard::wall_ms());
  h.generation.store(supervisor_.generation());
  h.listen_queue.store(-1);
  // Shared with every worker forked from here: BCRYPT_MAX_CONCURRENT pool-wide
  // (unset: half the pool), fixed for this master's life.
  common::bcrypt_gate::create_shared(config_.bcrypt_max_concurrent > 0
                                         ? config_.bcrypt_max_concurrent
                                         : std::max(1, config_.workers / 2));
}

int Master::run() {
  const sigset_t signals = master_signals();
  signal_fd_ = UniqueFd(::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC));
  if (signal_fd_.get() < 0) {
    common::log::error("signalfd failed", {{"reason", std::strerror(errno)}});
    return 1;
  }
  if (!handover_.pending()) write_pid_file(config_.pid_file, master_pid_);
  common::log::info("master started", {{"listen", config_.listen},
                                       {"status_listen", config_.status_listen},
                                       {"control_socket", config_.control_socket},
                                       {"mode", common::pool_mode_name(config_.pool_mode)},
                                       {"workers", pool_.target()},
                                       {"upgrade_from", handover_.old_master()}});

  std::vector<pollfd> fds;
  while (true) {
    fds.assign(1, pollfd{signal_fd_.get(), POLLIN, 0});
    ops_.add_poll_fds(fds);
    if (::poll(fds.data(), fds.size(), kTickMs) > 0 && (fds[0].revents & POLLIN)) {
      signalfd_siginfo info{};
      while (::read(signal_fd_.get(), &info, sizeof info) == sizeof info) {
        handle_signal(static_cast<int>(info.ssi_signo));
      }
    }
    ops_.process(fds, 1);
    tick();
    if (stopping_) {
      if (supervisor_.empty()) break;
    } else {
      supervisor_.tick();
      pool_.tick();
      supervisor_.keep(kJobRunnerRole, config_.job_runners, "JOB_RUNNERS");
      if (!pool_ready_) check_pool_ready();
    }
  }
  remove_files();
  common::log::info("master stopped", {{"handed_over", handover_.handed_over()}});
  return 0;
}

void Master::tick() {
  reap();
  board_.header().listen_queue.store(listen_queue_length(sockets_.listen.fd.get()),
                                     std::memory_order_relaxed);
  watch_.tick();
  supervisor_.enforce_kill_deadlines();
}

void Master::reap() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    if (handover_.on_exit(pid, status, stopping_)) continue;
    if (watch_.on_exit(pid)) continue;
    supervisor_.on_exit(pid, status);
  }
}

void Master::handle_signal(int sig) {
  std::string message;  // logged where it is made
  switch (sig) {
    case SIGQUIT:
      begin_stop(true, "SIGQUIT");
      return;
    case SIGTERM:
    case SIGINT:
      begin_stop(false, strsignal(sig));
      return;
    case SIGHUP:
      static_cast<void>(reload(message));
      return;
    case SIGTTIN:
      static_cast<void>(set_target(pool_.target() + 1, "SIGTTIN", message));
      return;
    case SIGTTOU:
      static_cast<void>(set_target(pool_.target() - 1, "SIGTTOU", message));
      return;
    case SIGUSR1:
      reopen_log();
      return;
    case SIGUSR2:
      handover_.start_successor(self_, sockets_.listen.fd.get(), ops_.status_listener(),
                                ops_.control_listener(), pool_.runtime_target(), stopping_);
      return;
    default:
      return;  // SIGCHLD: children are reaped every tick
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
  handover_.on_stop();
  // Stopping for a successor is no stop of the service.
  if (!escalating && !handover_.handed_over()) {
    check_notified(notifier_.stopping(graceful ? "stopping gracefully" : "stopping"), "STOPPING=1");
  }
  if (graceful) {
    common::log::info("graceful stop: letting in-flight requests finish",
                      {{"by", why}, {"graceful_timeout_s", config_.graceful_timeout_s}});
  } else {
    common::log::info(escalating ? "fast stop (during graceful stop)" : "fast stop", {{"by", why}});
  }
  supervisor_.stop_all(graceful);
}

// Every worker of the first target is ready (or kReadyTimeout passed): a
// successor takes over now, and the service manager hears READY=1.
void Master::check_pool_ready() {
  const int ready = supervisor_.ready_count(kWorkerRole);
  const bool timed_out = Clock::now() - started_ > kReadyTimeout;
  if (ready < pool_.target() && !timed_out) return;
  pool_ready_ = true;
  if (handover_.pending()) {
    write_pid_file(config_.pid_file, master_pid_);
    handover_.take_over(ready, timed_out);
  }
  check_notified(notifier_.ready(master_pid_, std::to_string(ready) + " workers ready"), "READY=1");
}

void Master::reopen_log() {
  if (!config_.log_file.empty()) {
    std::string error;
    if (!common::log::redirect_to_file(config_.log_file, error)) {
      common::log::error("cannot reopen LOG_FILE", {{"reason", error}});
    }
  }
  supervisor_.signal_all(SIGUSR1);
  common::log::info("log file reopened", {{"log_file", config_.log_file}});
}

bool Master::set_target(int n, const char* by, std::string& message) {
  if (stopping_) {
    message = "the pool is stopping";
    return false;
  }
  return pool_.set_target(n, by, message);
}

bool Master::reload(std::string& message) {
  if (stopping_) {
    message = "the pool is stopping";
    return false;
  }
  if (pool_ready_) check_notified(notifier_.reloading("reloading"), "RELOADING=1");
  std::optional<ReloadPlan> plan =
      plan_reload(config_, board_.capacity(), pool_.runtime_target(), db_limits_, message);
  if (plan) {
    apply_log_settings(plan->config, config_);
    log_setting_changes(plan->changes);
    config_ = std::move(plan->config);
    pool_.reset_target(plan->target);
    supervisor_.new_generation();
    scoreboard::bump(board_.header().reloads);
    int replacing = 0;
    for (const auto& [pid, c] : supervisor_.children()) {
      replacing += c.leaving == LeaveReason::kNone;
    }
    common::log::info("reload accepted; replacing workers a few at a time",
                      {{"generation", supervisor_.generation()},
                       {"workers", pool_.target()},
                       {"runtime_count_kept", pool_.runtime_target() > 0},
                       {"replacing", replacing},
                       {"batch", config_.reload_batch},
                       {"restart_only_settings_kept", plan->kept}});
    message = "reloaded: generation " + std::to_string(supervisor_.generation()) + ", replacing " +
              std::to_string(replacing) + " workers, " + std::to_string(config_.reload_batch) +
              " at a time";
    if (!plan->kept.empty()) {
      message += " (restart-only settings unchanged: " + common::json::write(plan->kept) + ")";
    }
  }
  if (pool_ready_) {
    check_notified(notifier_.ready(master_pid_, plan ? "reloaded" : "reload refused"), "READY=1");
  }
  return plan.has_value();
}

std::string Master::control(std::string_view line) {
  control::Actions actions;
  actions.status = [this] { return status_data(view(), true); };
  actions.workers = [this](const control::Command& command, std::string& message) {
    return set_target(control::requested_workers(command, pool_.target()), "ecommerce-ctl",
                      message);
  };
  actions.reload = [this](std::string& message) { return reload(message); };
  actions.stop = [this] {
    begin_stop(true, "ecommerce-ctl stop");
    return "stopping gracefully (GRACEFUL_TIMEOUT " + std::to_string(config_.graceful_timeout_s) +
           " s)";
  };
  return control::answer(line, actions);
}

PoolView Master::view() const {
  return make_pool_view({supervisor_, pool_, config_, master_pid_, handover_.upgrading()});
}

void Master::close_in_child() const {
  ::close(signal_fd_.get());
  for (const int fd : ops_.fds()) {
    if (fd >= 0) ::close(fd);
  }
}

void Master::remove_files() {
  if (handover_.handed_over()) return;  // the successor serves on these
  for (const std::string& path :
       {sockets_.listen.unix_path, sockets_.status.unix_path, sockets_.control.unix_path}) {
    if (!path.empty()) ::unlink(path.c_str());
  }
  remove_pid_file(config_.pid_file, master_pid_);
}

}  // namespace server
