#include "workers/handlers/cart_handlers.h"

#include "workers/services/cart_service.h"

namespace handlers {

common::Response get_cart(const common::Request&, common::RouteContext& ctx) {
  return common::Response::ok(services::get_cart(ctx.db, ctx.principal->user_id));
}

common::Response add_cart_item(const common::Request& req, common::RouteContext& ctx) {
  const auto request = services::parse_add_item(common::json_body(req));
  return common::Response::ok(services::add_item(ctx.db, ctx.principal->user_id, request), 201);
}

common::Response update_cart_item(const common::Request& req, common::RouteContext& ctx) {
  const int64_t quantity = services::parse_quantity_update(common::json_body(req));
  return common::Response::ok(
      services::update_item(ctx.db, ctx.principal->user_id, ctx.params.at(0), quantity));
}

common::Response delete_cart_item(const common::Request&, common::RouteContext& ctx) {
  return common::Response::ok(
      services::remove_item(ctx.db, ctx.principal->user_id, ctx.params.at(0)));
}

}  // namespace handlers
