// What a handler gets besides the Request: the worker's database connection,
// the configuration, and the path parameters of the matched route.
#pragma once

#include <cstdint>
#include <vector>

#include "common/config.h"
#include "common/pg.h"

namespace common {

struct RouteContext {
  pg::Connection& db;
  const Config& config;
  std::vector<int64_t> params;  // path parameters in pattern order
};

}  // namespace common
