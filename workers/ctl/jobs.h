// `ecommerce-ctl jobs` and `ecommerce-ctl jobs retry ID`: the job queue for an
// operator, read from PostgreSQL directly (the master keeps no database
// connection). The database is DATABASE_URL from the environment (with the
// local stack: `DATABASE_URL=$(scripts/pg.sh url)`).
#pragma once

#include <json/value.h>

#include <string>

#include "common/config.h"
#include "workers/ctl/ctl.h"

namespace ctl {

// The newest jobs and the dead ones, as two tables (id, queue, kind, state,
// attempts, run_at, last error), from {"recent": page, "dead": page} where
// each page is services::list_jobs()'s answer.
std::string render_jobs_tables(const Json::Value& jobs);

// Runs a jobs command and prints its answer (tables, or --json). Returns an
// exit code of ctl.h: kOk; kRefused (no such job, or not dead); kUsage
// (DATABASE_URL unset); kUnreachable (the database could not be asked).
int run_jobs_command(const JobsCommand& command, bool json, const common::EnvLookup& env);

}  // namespace ctl
