// The PoolView (status.h) of a running master: what /status, /metrics and
// `ecommerce-ctl status` show, assembled from the scoreboard and the
// supervisor's and the pool's own bookkeeping.
#pragma once

#include <sys/types.h>

#include "common/config.h"
#include "workers/server/status.h"
#include "workers/server/supervisor.h"
#include "workers/server/worker_pool.h"

namespace server {

struct PoolViewSources {
  const Supervisor& supervisor;
  const WorkerPool& pool;
  const common::Config& config;
  pid_t master_pid;
  bool upgrading;  // a SIGUSR2 successor is starting, or we are one not yet in charge
};

// Rows sorted by slot; a child asked to leave shows "draining".
PoolView make_pool_view(const PoolViewSources& sources);

}  // namespace server
