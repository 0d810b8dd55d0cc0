#include "workers/handlers/auth_handlers.h"

#include "workers/services/account_changes.h"
#include "workers/services/auth_service.h"

namespace handlers {

namespace {

// Token answers must not be stored by any cache on the way (RFC 6749 5.1).
common::Response no_store(common::Response response) {
  response.with_header("Cache-Control", "no-store");
  return response;
}

}  // namespace

common::Response auth_register(const common::Request& req, common::RouteContext& ctx) {
  const auto credentials = services::parse_registration(common::json_body(req));
  return common::Response::ok(
      services::register_user(ctx.db, ctx.config, credentials, req.remote_addr), 201);
}

common::Response auth_login(const common::Request& req, common::RouteContext& ctx) {
  const auto credentials = services::parse_login(common::json_body(req));
  return no_store(
      common::Response::ok(services::login(ctx.db, ctx.config, credentials, req.remote_addr)));
}

common::Response auth_refresh(const common::Request& req, common::RouteContext& ctx) {
  const auto token = services::parse_refresh_token(common::json_body(req));
  return no_store(common::Response::ok(services::refresh(ctx.db, ctx.config, token)));
}

common::Response auth_logout(const common::Request& req, common::RouteContext& ctx) {
  services::logout(ctx.db, services::parse_refresh_token(common::json_body(req)));
  return common::Response::no_content();
}

common::Response auth_change_password(const common::Request& req, common::RouteContext& ctx) {
  const auto change = services::parse_password_change(common::json_body(req));
  services::change_password(ctx.db, ctx.config, ctx.principal.value().user_id, change);
  return common::Response::no_content();
}

common::Response auth_me(const common::Request&, common::RouteContext& ctx) {
  return no_store(common::Response::ok(services::me(ctx.db, ctx.principal.value().user_id)));
}

}  // namespace handlers
