// `serve`: open the FastCGI listening socket, fork the workers, supervise them.
#pragma once

#include "common/config.h"

namespace server {

// Runs the master until SIGTERM/SIGINT and every worker has exited (or the
// graceful timeout killed them). Returns the process exit code.
int serve(const common::Config& config);

}  // namespace server
