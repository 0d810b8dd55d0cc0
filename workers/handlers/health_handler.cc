#include "workers/handlers/health_handler.h"

#include "workers/services/health_service.h"

namespace handlers {

common::Response health(const common::Request&, common::RouteContext& ctx) {
  const services::HealthReport report = services::check_health(ctx.db, ctx.cache, ctx.replica);
  Json::Value body(Json::objectValue);
  body["status"] = report.healthy() ? "ok" : "degraded";
  body["database"] = report.database_reachable ? "reachable" : "unreachable";
  body["cache"] = report.cache;
  body["replica"] = report.replica;
  body["version"] = report.version;
  return common::Response::raw_json(body, report.healthy() ? 200 : 503);
}

}  // namespace handlers
