// A worker process: after fork(), opens its own PostgreSQL connection and
// serves FastCGI requests from the inherited listening socket, one at a time,
// until asked to stop (SIGTERM/SIGINT/SIGQUIT: finish the request in flight,
// then exit) or until the master dies.
#pragma once

#include <sys/types.h>

#include "common/config.h"

namespace server {

// Runs in the child. Returns the exit code for _exit().
int run_worker(const common::Config& config, int listen_fd, pid_t master_pid);

}  // namespace server
