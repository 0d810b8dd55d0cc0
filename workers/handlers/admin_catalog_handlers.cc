#include "workers/handlers/admin_catalog_handlers.h"

#include "workers/services/admin_catalog_service.h"

namespace handlers {

namespace {

int64_t actor(const common::RouteContext& ctx) { return ctx.principal.value().user_id; }

}  // namespace

common::Response admin_create_category(const common::Request& req, common::RouteContext& ctx) {
  const auto category = services::parse_new_category(common::json_body(req));
  return common::Response::ok(services::create_category(ctx.db, category, ctx.cache), 201);
}

common::Response admin_create_product(const common::Request& req, common::RouteContext& ctx) {
  const auto product = services::parse_new_product(common::json_body(req));
  return common::Response::ok(services::create_product(ctx.db, product, ctx.cache), 201);
}

common::Response admin_update_product(const common::Request& req, common::RouteContext& ctx) {
  const auto changes = services::parse_product_changes(common::json_body(req));
  return common::Response::ok(
      services::update_product(ctx.db, ctx.params.at(0), changes, ctx.cache));
}

common::Response admin_create_variant(const common::Request& req, common::RouteContext& ctx) {
  const auto variant = services::parse_new_variant(common::json_body(req));
  return common::Response::ok(
      services::create_variant(ctx.db, ctx.params.at(0), variant, actor(ctx), ctx.cache), 201);
}

common::Response admin_update_variant(const common::Request& req, common::RouteContext& ctx) {
  const auto changes = services::parse_variant_changes(common::json_body(req));
  return common::Response::ok(
      services::update_variant(ctx.db, ctx.params.at(0), changes, ctx.cache));
}

common::Response admin_adjust_stock(const common::Request& req, common::RouteContext& ctx) {
  const auto adjustment = services::parse_stock_adjustment(common::json_body(req));
  return common::Response::ok(
      services::adjust_stock(ctx.db, ctx.params.at(0), adjustment, actor(ctx), ctx.cache));
}

}  // namespace handlers
