// serve(): the checks and the sockets before the master runs.
#include "workers/server/serve.h"

#include <csignal>
#include <stdexcept>

#include "common/log.h"
#include "workers/server/master.h"
#include "workers/server/sizing.h"

namespace server {

namespace {

// Whoever can connect to the control socket controls the pool.
constexpr mode_t kControlSocketMode = 0600;

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
  s.control = inherited.control_fd >= 0 ? adopt(inherited.control_fd, control)
                                        : open_listen_socket(control, 16, kControlSocketMode);
  return s;
}

bool open_log_file(const common::Config& config) {
  if (config.log_file.empty()) return true;
  std::string error;
  if (common::log::redirect_to_file(config.log_file, error)) return true;
  common::log::error("cannot open LOG_FILE", {{"reason", error}});
  return false;
}

void log_db_limits(const common::Config& config, const std::optional<DbLimits>& limits,
                   const std::string& error) {
  if (limits) {
    common::log::info("database connection limit",
                      {{"max_connections", limits->max_connections},
                       {"reserved", limits->reserved},
                       {"available_to_pool", limits->available_for(config)}});
  } else {
    common::log::warn("cannot read max_connections; pool sizes are not checked against it",
                      {{"reason", error}});
  }
}

}  // namespace

int serve(const common::Config& config) {
  if (config.database_url.empty()) {
    common::log::error("DATABASE_URL is not set");
    return 2;
  }
  if (!open_log_file(config)) return 1;
  for (const auto& line : common::describe(config)) {
    common::log::info("config", {{"setting", line}});
  }
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
  log_db_limits(config, setup.db_limits, error);

  const int target = pool_target(config, setup.inherited.runtime_workers);
  if (!fits_database(config, setup.db_limits, largest_pool(config, target), error)) {
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
  setup.scoreboard_capacity = scoreboard_capacity(config);
  try {
    Master master(std::move(setup));
    return master.run();
  } catch (const std::exception& e) {
    common::log::error("master failed", {{"reason", e.what()}});
    return 1;
  }
}

}  // namespace server
