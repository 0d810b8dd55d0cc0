#include "workers/server/test_routes.h"

#include <unistd.h>

#include <cstring>
#include <fstream>
#include <memory>

#include "workers/server/context.h"
#include "workers/server/proc_stats.h"

namespace server {

namespace {

int64_t int_param(const common::Request& req, const char* name, int64_t min, int64_t max) {
  const auto text = common::QueryParams::parse(req.query).get(name);
  common::FieldErrors errors;
  int64_t value = 0;
  try {
    size_t used = 0;
    value = text ? std::stoll(*text, &used) : 0;
    if (!text || used != text->size() || value < min || value > max) throw std::out_of_range(name);
  } catch (const std::exception&) {
    errors.add(name,
               "must be an integer between " + std::to_string(min) + " and " + std::to_string(max));
  }
  errors.throw_if_any();
  return value;
}

common::Response sleep(const common::Request& req, common::RouteContext& ctx) {
  // Function-local: prepared on first use, so that stacks without test routes
  // never prepare it.
  static const common::pg::Statement kSleep{"test.sleep", "SELECT pg_sleep($1::float8 / 1000)"};
  const int64_t ms = int_param(req, "ms", 1, 600000);
  const common::pg::Result r = ctx.db.exec(kSleep, {std::to_string(ms)});
  Json::Value data(Json::objectValue);
  data["slept_ms"] = static_cast<Json::Int64>(ms);
  return common::Response::ok(data);
}

common::Response alloc(const common::Request& req, common::RouteContext&) {
  const int64_t mb = int_param(req, "mb", 1, 4096);
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
