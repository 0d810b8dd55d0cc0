// What a handler gets besides the Request: the worker's database connection,
// the configuration, and the path parameters of the matched route.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/pg.h"

namespace common {

// Who is calling, as the verified access token says (never a header the
// client chose). Set by the central access check for kUser and kAdmin routes.
struct Principal {
  int64_t user_id = 0;
  std::string role;  // "user" | "admin"
  bool is_admin() const { return role == "admin"; }
};

struct RouteContext {
  pg::Connection& db;
  const Config& config;
  std::vector<int64_t> params;  // path parameters in pattern order
  std::optional<Principal> principal;
};

}  // namespace common
