#include "workers/server/child_process.h"

#include <string>

#include "common/log.h"
#include "common/pg.h"

namespace server {

ChildSignals g_child_signals;

namespace {

// The pg hooks are plain functions; they reach the slot through this.
scoreboard::SlotWriter* g_slot = nullptr;

void on_stop_signal(int) { g_child_signals.stop = 1; }
void on_reopen_signal(int) { g_child_signals.reopen_log = 1; }

void on_db_connection(int backend_pid) {
  g_slot->set_db(backend_pid > 0 ? scoreboard::DbState::kConnected : scoreboard::DbState::kDown,
                 backend_pid);
}
void on_statement_begin(const char* name, const char* sql) { g_slot->begin_statement(name, sql); }
void on_statement_end(std::chrono::microseconds elapsed) { g_slot->end_statement(elapsed.count()); }

}  // namespace

sigset_t install_child_signals() {
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sa.sa_handler = on_stop_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGQUIT, &sa, nullptr);
  sa.sa_handler = on_reopen_signal;
  sigaction(SIGUSR1, &sa, nullptr);
  for (int sig : {SIGPIPE, SIGHUP, SIGUSR2, SIGTTIN, SIGTTOU}) signal(sig, SIG_IGN);
  signal(SIGINT, SIG_DFL);  // fast stop: end at once, even mid-request
  sigset_t blocked;
  sigemptyset(&blocked);
  for (int sig : {SIGTERM, SIGQUIT, SIGUSR1}) sigaddset(&blocked, sig);
  sigprocmask(SIG_SETMASK, &blocked, nullptr);  // replaces the master's mask
  sigset_t wait_mask;
  sigemptyset(&wait_mask);
  return wait_mask;
}

bool stop_pending() {
  sigset_t pending;
  sigemptyset(&pending);
  if (sigpending(&pending) != 0) return false;
  return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGQUIT) == 1;
}

void publish_db_work(scoreboard::SlotWriter& slot) {
  g_slot = &slot;
  common::pg::set_hooks({on_db_connection, on_statement_begin, on_statement_end});
}

common::cache::Options child_cache_options(const common::Config& config) {
  common::cache::Options o;
  o.url = config.redis_url;
  o.timeout = std::chrono::milliseconds(config.redis_timeout_ms);
  o.ttl = std::chrono::seconds(config.cache_ttl_s);
  return o;
}

void reopen_child_log(const common::Config& config) {
  if (config.log_file.empty()) return;
  std::string error;
  if (!common::log::redirect_to_file(config.log_file, error)) {
    common::log::error("cannot reopen LOG_FILE", {{"reason", error}});
  }
}

}  // namespace server
