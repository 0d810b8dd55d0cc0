// What GET /health reports, as plain values: whether PostgreSQL answers, the
// state of the cache, and the version. The handler renders it and picks the
// status; no HTTP here.
#pragma once

#include <string>

#include "common/pg.h"

namespace services {

struct HealthReport {
  bool database_reachable = false;
  // "reachable" | "unreachable" | "disabled"; a cache outage alone never
  // makes the service unhealthy.
  std::string cache = "disabled";  // no cache is configured yet
  std::string version;             // ECOMMERCE_VERSION
  // Healthy when the database answers.
  bool healthy() const { return database_reachable; }
};

// Asks the database with a trivial query. Never throws.
[[nodiscard]] HealthReport check_health(common::pg::Connection& db);

}  // namespace services
