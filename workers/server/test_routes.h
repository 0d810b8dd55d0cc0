// Routes for the end-to-end tests of the pool, added to the route table only
// when ENABLE_TEST_ROUTES=1 (default 0; scripts/test.sh sets it for its
// stacks). Both are loopback only.
//
//   GET /__test/sleep?ms=N  (1..600000) runs SELECT pg_sleep(N / 1000.0) on the
//       worker's connection and answers {"slept_ms": N}: a request that is slow
//       in the database, for REQUEST_SLOW_MS, REQUEST_TIMEOUT_S and "every
//       worker busy".
//   GET /__test/alloc?mb=N  (1..4096) allocates and touches N MiB that the
//       worker keeps until it exits, and answers {"rss_bytes": ...}: drives
//       MAX_RSS_MB recycling.
#pragma once

#include <vector>

#include "common/router.h"

namespace server {

std::vector<common::Route> test_routes();

}  // namespace server
