#include "workers/handlers/catalog_handlers.h"

#include "workers/handlers/list_requests.h"
#include "workers/services/catalog_service.h"

namespace handlers {

common::Response list_categories(const common::Request& req, common::RouteContext& ctx) {
  return common::conditional_ok(req, services::list_categories(ctx.db));
}

common::Response list_products(const common::Request& req, common::RouteContext& ctx) {
  const auto request = product_list_request(common::QueryParams::parse(req.query));
  return common::conditional_ok(req, services::list_products(ctx.db, request));
}

common::Response get_product(const common::Request& req, common::RouteContext& ctx) {
  return common::conditional_ok(req, services::get_product(ctx.db, ctx.params.at(0)));
}

}  // namespace handlers
