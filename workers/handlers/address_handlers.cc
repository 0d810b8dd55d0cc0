#include "workers/handlers/address_handlers.h"

#include "workers/services/address_service.h"

namespace handlers {

common::Response list_addresses(const common::Request&, common::RouteContext& ctx) {
  return common::Response::ok(services::list_addresses(ctx.db, ctx.principal->user_id));
}

common::Response create_address(const common::Request& req, common::RouteContext& ctx) {
  const auto address = services::parse_new_address(common::json_body(req));
  return common::Response::ok(services::create_address(ctx.db, ctx.principal->user_id, address),
                              201);
}

common::Response delete_address(const common::Request&, common::RouteContext& ctx) {
  services::delete_address(ctx.db, ctx.principal->user_id, ctx.params.at(0));
  return common::Response::no_content();
}

}  // namespace handlers
