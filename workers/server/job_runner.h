// A job-runner process: the second role of the master's supervised children
// (child.h), beside the workers. After fork() it opens its own PostgreSQL
// connection (statements of pg::Role::kService and pg::Role::kJobs) and its
// own cache connection, then runs the queue with a jobs::Runner over
// jobs::job_registry() until asked to stop.
//
// Its scoreboard slot shows "busy" with method "JOB" and "<kind> #<id>" while a
// job runs, "idle" between jobs; `requests` counts its runs. Each run is
// counted in the slot's job metrics (jobs_total, job_duration_seconds). At
// most once a second it counts the queue in PostgreSQL into the scoreboard
// header (jobs_queued, /status jobs), and it enqueues the periodic jobs.
//
// Signals as a worker's (child_process.h): SIGTERM / SIGQUIT finish the job in
// flight, then exit 0 (a graceful stop or a reload drains it this way);
// SIGINT (fast stop) and SIGKILL end it at once, and the job it was running
// is taken over by a runner once its lease (JOB_LEASE_S) expires.
#pragma once

#include <string>

#include "workers/server/worker.h"

namespace server {

// The connection options of a job runner.
common::pg::ConnectionOptions job_runner_db_options(const common::Config& config);

// The lease owner a runner writes on the jobs it claims: "<host>:<pid>".
std::string job_lease_owner();

// Runs in the child. Returns the exit code for _exit().
int run_job_runner(const WorkerSetup& setup);

}  // namespace server
