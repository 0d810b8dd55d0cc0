// Running a job handler in a test the way a job runner does
// (workers/jobs/job_handler.h): a JobContext on the test's connection.
#pragma once

#include <cstdint>
#include <functional>

#include "common/cache.h"
#include "common/config.h"
#include "common/pg.h"
#include "workers/jobs/job_handler.h"

namespace test_support {

// Job 1, first attempt, with the cache (or none) and the drift reporter (or
// none) a runner would set. `db` and `config` must outlive the context.
jobs::JobContext job_context(common::pg::Connection& db, const common::Config& config,
                             common::cache::Cache* cache = nullptr,
                             std::function<void(int64_t)> report_stock_drift = nullptr);

}  // namespace test_support
