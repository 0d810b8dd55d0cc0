#include "tests/support/job_context.h"

#include <utility>

namespace test_support {

jobs::JobContext job_context(common::pg::Connection& db, const common::Config& config,
                             common::cache::Cache* cache,
                             std::function<void(int64_t)> report_stock_drift) {
  return {.db = db,
          .config = config,
          .cache = cache,
          .job_id = 1,
          .attempt = 1,
          .report_stock_drift = std::move(report_stock_drift)};
}

}  // namespace test_support
