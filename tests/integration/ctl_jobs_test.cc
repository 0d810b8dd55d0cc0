// `ecommerce-ctl jobs` and `jobs retry ID` against real PostgreSQL: the exit
// codes an operator's script relies on.
#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "tests/support/db.h"
#include "workers/ctl/jobs.h"
#include "workers/repositories/job_repository.h"

namespace {

namespace pg = common::pg;
using test_support::run_sql;

common::EnvLookup env_with(const std::map<std::string, std::string>& values) {
  return [values](const char* name) -> const char* {
    const auto it = values.find(name);
    return it == values.end() ? nullptr : it->second.c_str();
  };
}

}  // namespace

TEST_CASE("ecommerce-ctl jobs lists, retries a dead job, and refuses the rest",
          "[integration][jobs][ctl]") {
  pg::Connection db = test_support::migrated_connection();
  test_support::truncate_all(db);
  repo::NewJob job;
  job.queue = "orders";
  job.kind = "test.ctl";
  const int64_t dead = repo::enqueue_job(db, job).value();
  job.kind = "test.ctl-queued";
  const int64_t queued = repo::enqueue_job(db, job).value();
  run_sql(db, "UPDATE jobs SET state = 'dead', attempts = 8, last_error = 'gave up' WHERE id = " +
                  std::to_string(dead));
  const auto env = env_with({{"DATABASE_URL", test_support::database_url()}});

  CHECK(ctl::run_jobs_command({}, false, env) == ctl::kOk);
  CHECK(ctl::run_jobs_command({}, true, env) == ctl::kOk);
  CHECK(ctl::run_jobs_command({queued}, false, env) == ctl::kRefused);  // not dead
  CHECK(ctl::run_jobs_command({999999}, false, env) == ctl::kRefused);  // no such job
  CHECK(ctl::run_jobs_command({dead}, false, env) == ctl::kOk);
  CHECK(run_sql(db, "SELECT state || '/' || attempts FROM jobs WHERE id = " + std::to_string(dead))
            .str(0, 0) == "queued/0");
  CHECK(ctl::run_jobs_command({}, false, env_with({})) == ctl::kUsage);
  CHECK(ctl::run_jobs_command(
            {}, false, env_with({{"DATABASE_URL", "postgresql:///nope?host=/nonexistent"}})) ==
        ctl::kUnreachable);
}
