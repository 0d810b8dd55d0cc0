// What a route handler gets besides the Request: the process's database
// connection, the configuration, the path parameters of the matched route and,
// for kUser and kAdmin routes, the verified caller.
//
// It sits below the handlers and the router (common/router.h names it in the
// handler signature) and knows nothing of HTTP. Services do not take it: a
// handler passes them the connection and plain values out of it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/cache.h"
#include "common/config.h"
#include "common/pg.h"
#include "common/principal.h"
#include "common/read_replica.h"

namespace common {

struct RouteContext {
  pg::Connection& db;
  const Config& config;
  std::vector<int64_t> params;  // path parameters in pattern order
  // Set by the central access check for kUser and kAdmin routes.
  std::optional<Principal> principal;
  // The process's catalogue cache (nullptr: none, e.g. the master's own routes).
  cache::Cache* cache;
  // Set by a handler that answered through the cache, for /metrics.
  std::optional<cache::Outcome> cache_outcome;
  // The process's read replica (DATABASE_READ_URL); nullptr: none. Only the
  // catalogue reads use it, through the rule of common/read_replica.h.
  ReadReplica* replica = nullptr;
};

}  // namespace common
