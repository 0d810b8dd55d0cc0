#include "workers/handlers/health_handler.h"

#include "workers/repositories/catalog_repository.h"

namespace handlers {

common::Response health(const common::Request&, common::RouteContext& ctx) {
  const bool db_ok = repo::ping(ctx.db);
  Json::Value body(Json::objectValue);
  body["status"] = db_ok ? "ok" : "degraded";
  body["database"] = db_ok ? "reachable" : "unreachable";
  body["cache"] = "disabled";  // no cache is configured yet
  body["version"] = ECOMMERCE_VERSION;
  return common::Response::raw_json(body, db_ok ? 200 : 503);
}

}  // namespace handlers
