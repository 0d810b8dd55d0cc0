#include "workers/handlers/admin_inventory_handlers.h"

#include "workers/services/inventory_sync_service.h"

namespace handlers {

common::Response admin_inventory_sync(const common::Request& req, common::RouteContext& ctx) {
  const auto request = services::parse_inventory_sync(common::json_body(req));
  const int64_t job_id =
      services::enqueue_inventory_sync(ctx.db, request, ctx.config.job_max_attempts);
  Json::Value data(Json::objectValue);
  data["job_id"] = static_cast<Json::Int64>(job_id);
  return common::Response::ok(data, 202);
}

}  // namespace handlers
