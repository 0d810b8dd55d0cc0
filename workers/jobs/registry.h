// The handler registry: which Handler (job_handler.h) runs each job kind.
// The runner is given a Registry (runner.h), so tests can run it with
// handlers of their own; the job-runner processes use job_registry().
#pragma once

#include <functional>
#include <map>
#include <string>

#include "workers/jobs/job_handler.h"

namespace jobs {

using Registry = std::map<std::string, Handler, std::less<>>;

// Every kind this binary can run (job_kinds.h). A kind missing here is run
// by no runner of this binary: its jobs go dead with a last_error naming it.
Registry job_registry();

}  // namespace jobs
