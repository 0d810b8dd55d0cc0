// The master's only database work, each over a short-lived connection that is
// closed before the function returns (nothing a worker should own is created
// before fork()):
//   - at start, how many connections PostgreSQL allows the pool;
//   - on a request timeout, cancelling the worker's query. This one runs in a
//     child the master forks for the purpose, so that a slow or unreachable
//     database never stalls the master's loop.
#pragma once

#include <optional>
#include <string>

#include "common/config.h"

namespace server {

struct DbLimits {
  int max_connections = 0;
  int reserved = 0;  // superuser_reserved_connections (+ reserved_connections on 16+)
  // What the pool may use: max_connections - reserved - DB_RESERVED_CONNECTIONS.
  int available_for(const common::Config& config) const {
    return max_connections - reserved - config.db_reserved_connections;
  }
};

// Connects with DB_CONNECT_TIMEOUT, reads the settings, disconnects. nullopt
// (with the reason in `error`) when the database cannot be asked.
[[nodiscard]] std::optional<DbLimits> query_db_limits(const common::Config& config,
                                                      std::string& error);

// pg_cancel_backend(backend_pid) over a new connection with the pool's own
// credentials (a role may cancel its own backends). True when PostgreSQL
// signalled the backend; false with the reason in `error`.
[[nodiscard]] bool cancel_backend(const common::Config& config, int backend_pid,
                                  std::string& error);

// The most connections a pool of `workers` workers can hold at once: the
// workers, the job runners (JOB_RUNNERS, one connection each), plus the
// replacements started ahead of reload/recycling.
inline int connections_needed(const common::Config& config, int workers) {
  return workers + config.job_runners + config.reload_batch;
}

}  // namespace server
