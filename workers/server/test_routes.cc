#include "workers/server/test_routes.h"

#include <unistd.h>

#include <cstring>
#include <fstream>
#include <memory>

#include "common/query_params.h"
#include "workers/server/proc_stats.h"

namespace server {

namespace {

// Registered with its own role: only a worker of a stack with test routes
// prepares it (see worker_db_options).
const common::pg::Statement kSleep{"test.sleep", common::pg::Role::kTestRoutes,
                                   common::pg::Effect::kRead, "SELECT pg_sleep($1::float8 / 1000)"};

// The query parameter `name`, required, as an integer in [min, max]. Throws
// AppError(kValidationError) otherwise.
int64_t int_param(const common::Request& req, const char* name, common::IntRange range) {
  common::FieldErrors errors;
  const auto value = common::query_int(common::QueryParams::parse(req.query), name, range, errors);
  if (!value) errors.add(name, range.describe());
  errors.throw_if_any();
  return *value;
}

common::Response sleep(const common::Request& req, common::RouteContext& ctx) {
  const int64_t ms = int_param(req, "ms", {1, 600000});
  const common::pg::Result r = ctx.db.exec(kSleep, {std::to_string(ms)});
  Json::Value data(Json::objectValue);
  data["slept_ms"] = static_cast<Json::Int64>(ms);
  return common::Response::ok(data);
}

common::Response alloc(const common::Request& req, common::RouteContext&) {
  const int64_t mb = int_param(req, "mb", {1, 4096});
  // Kept on purpose until the process exits: this route exists to grow RSS.
  static std::vector<std::unique_ptr<char[]>> kept;
  auto block = std::make_unique<char[]>(static_cast<size_t>(mb) << 20);
  std::memset(block.get(), 1, static_cast<size_t>(mb) << 20);
  kept.push_back(std::move(block));
  Json::Value data(Json::objectValue);
  data["rss_bytes"] = static_cast<Json::Int64>(resident_bytes());
  return common::Response::ok(data);
}

}  // namespace

std::vector<common::Route> test_routes() {
  return {
      {"GET", "/__test/sleep", common::Access::kLoopback, sleep},
      {"GET", "/__test/alloc", common::Access::kLoopback, alloc},
  };
}

}  // namespace server
