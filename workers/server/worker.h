// A worker process: after fork(), opens its own PostgreSQL connection and
// serves FastCGI requests from the inherited listening socket, one at a time,
// publishing what it does in its scoreboard slot (the only slot it writes).
//
// Signals: SIGTERM / SIGQUIT finish the request in flight, then exit 0 (also
// sent by the kernel when the master dies: PR_SET_PDEATHSIG). SIGINT ends the
// process at once (the master's fast stop). SIGUSR1 reopens LOG_FILE between
// requests. SIGHUP, SIGUSR2, SIGTTIN and SIGTTOU are the master's and ignored.
// TERM, QUIT and USR1 are delivered only while the worker waits between
// requests (ppoll), never in the middle of one.
//
// Recycling: after MAX_REQUESTS (+ jitter) requests, or when RSS passes
// MAX_RSS_MB, the worker asks for a replacement through its slot and keeps
// serving until the master, once the replacement is ready, sends SIGTERM.
#pragma once

#include <sys/types.h>

#include "common/config.h"
#include "common/pg.h"
#include "workers/server/scoreboard.h"

namespace server {

struct WorkerSetup {
  const common::Config& config;
  int listen_fd;
  pid_t master_pid;
  scoreboard::Slot& slot;                    // prepared by the master before fork()
  common::cache::SharedState& cache_shared;  // the scoreboard header's
  scoreboard::Header& header;                // job runners publish the queue's gauges there
};

// A worker's database connection: DB_CONNECT_TIMEOUT, DB_STATEMENT_TIMEOUT_MS,
// and the statements of pg::Role::kService (plus kTestRoutes with
// ENABLE_TEST_ROUTES=1), all prepared right after connecting. Nothing the
// CLI runs (migrate.*, seed_large.*) is prepared on it.
common::pg::ConnectionOptions worker_db_options(const common::Config& config);

// Runs in the child. Returns the exit code for _exit().
int run_worker(const WorkerSetup& setup);

}  // namespace server
