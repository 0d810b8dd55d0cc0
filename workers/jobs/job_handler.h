// What a job kind's handler is, for the job runner (the process role that runs
// the queue of table jobs) and for the code that implements each kind.
//
// Contract of a handler:
//   * It is idempotent: running it twice has the effect of running it once
//     (a runner that dies after the handler's effect but before the job is
//     marked done makes the job run again).
//   * It runs on the runner's own connection, outside any transaction; it opens
//     its own transaction(s) for its effect. The runner marks the job done (with
//     the returned result) in a separate statement after the handler returns.
//   * It reports how it failed by exception:
//       JobRetry  — transient (SMTP down, serialization failure): the job is
//                   queued again with backoff until max_attempts, then dead;
//       JobFailed — permanent (the payload names an order that does not
//                   exist): the job goes dead at once;
//     any other exception counts as JobRetry with its what() as last_error.
//   * It invalidates the catalogue cache itself after its commits (ctx.cache
//     may be null when no cache is configured).
#pragma once

#include <json/value.h>

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "common/cache.h"
#include "common/config.h"
#include "common/pg.h"

namespace jobs {

struct JobContext {
  common::pg::Connection& db;
  const common::Config& config;
  common::cache::Cache* cache = nullptr;  // null: no cache configured
  int64_t job_id = 0;
  int attempt = 1;  // 1 on the first run
  // Publishes the number of variants the last stock reconciliation found out of
  // balance (the stock_drift_variants metric). Set by the runner.
  std::function<void(int64_t)> report_stock_drift;
};

class JobRetry : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class JobFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Returns the job's result (stored in jobs.result; null for none).
using Handler = std::function<Json::Value(JobContext& ctx, const Json::Value& payload)>;

}  // namespace jobs
