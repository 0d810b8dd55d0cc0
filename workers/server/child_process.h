// What every supervised child (child.h) does right after fork(), whatever its
// role: its signals, the hooks that publish its database work in its
// scoreboard slot, and the options of its own catalogue cache connection.
#pragma once

#include <signal.h>

#include "common/cache.h"
#include "common/config.h"
#include "workers/server/scoreboard.h"

namespace server {

// The flags the child's signal handlers set (nothing else happens in them).
struct ChildSignals {
  volatile sig_atomic_t stop = 0;        // SIGTERM, SIGQUIT: finish the current work, then exit
  volatile sig_atomic_t reopen_log = 0;  // SIGUSR1
};
extern ChildSignals g_child_signals;

// SIGTERM and SIGQUIT set `stop`, SIGUSR1 sets `reopen_log`; SIGINT ends the
// process at once (fast stop); SIGPIPE, SIGHUP, SIGUSR2, SIGTTIN and SIGTTOU
// are ignored. TERM, QUIT and USR1 stay blocked except while the child waits
// between units of work (ppoll or epoll_pwait) with the returned mask, so a
// signal never interrupts accept, libfcgi's reads and writes, libpq or a job
// mid-way (an EINTR there would cost the request).
sigset_t install_child_signals();

// True when SIGTERM or SIGQUIT is pending (blocked, not yet delivered): lets a
// busy child notice a stop between two units of work without waiting.
bool stop_pending();

// Points the pg hooks (common/pg.h) at this process's slot: connection state
// and backend pid, the statement running, db_query_duration_seconds.
// `slot` must outlive the process's database work.
void publish_db_work(scoreboard::SlotWriter& slot);

// REDIS_URL, REDIS_TIMEOUT_MS and CACHE_TTL_S as the cache's options.
common::cache::Options child_cache_options(const common::Config& config);

// Reopens LOG_FILE (SIGUSR1), logging a failure.
void reopen_child_log(const common::Config& config);

}  // namespace server
