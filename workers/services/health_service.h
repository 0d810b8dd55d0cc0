// What GET /health reports, as plain values: whether PostgreSQL answers, the
// state of the cache, and the version. The handler renders it and picks the
// status; no HTTP here.
#pragma once

#include <string>

#include "common/cache.h"
#include "common/pg.h"
#include "common/read_replica.h"

namespace services {

struct HealthReport {
  bool database_reachable = false;
  // "reachable" | "unreachable" | "disabled"; a cache outage alone never
  // makes the service unhealthy.
  std::string cache = "disabled";
  // "ok" | "lagging" | "unreachable" | "none"; never makes the service unhealthy.
  std::string replica = "none";
  std::string version;  // ECOMMERCE_VERSION
  // Healthy when the database answers.
  bool healthy() const { return database_reachable; }
};

// Asks the database with a trivial query, the cache with a PING (bounded by
// REDIS_TIMEOUT_MS; `cache` may be nullptr: "disabled") and the replica for
// its replay state against the cache's WAL position (`replica` may be
// nullptr: "none"). Never throws.
[[nodiscard]] HealthReport check_health(common::pg::Connection& db, common::cache::Cache* cache,
                                        common::ReadReplica* replica = nullptr);

}  // namespace services
