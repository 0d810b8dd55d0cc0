#include "workers/handlers/order_handlers.h"

#include "workers/handlers/list_requests.h"
#include "workers/services/checkout_service.h"
#include "workers/services/order_service.h"

namespace handlers {

namespace {

// A body that may be left out: none (or only whitespace) is {}.
Json::Value optional_json_body(const common::Request& req) {
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Json::Value(Json::objectValue);
  }
  return common::json_body(req);
}

common::Response act(const common::Request& req, common::RouteContext& ctx,
                     services::OrderAction action) {
  services::ActionRequest request{action, ctx.params.at(0), ctx.principal->user_id, std::nullopt};
  if (action == services::OrderAction::kPay) {
    request.payment_reference = services::parse_payment_reference(common::json_body(req));
  }
  return common::Response::ok(
      services::apply_action(ctx.db, request, ctx.cache, services::order_job_settings(ctx.config)));
}

}  // namespace

common::Response checkout(const common::Request& req, common::RouteContext& ctx) {
  const Json::Value body = optional_json_body(req);
  const auto request = services::parse_checkout(body);
  std::optional<services::IdempotencyKey> key;
  if (auto value = services::parse_idempotency_key(req.header("idempotency-key"))) {
    key = services::IdempotencyKey{std::move(*value), services::checkout_request_hash(body)};
  }
  const auto answer = services::checkout(ctx.db, ctx.principal->user_id, request, key, ctx.cache,
                                         services::order_job_settings(ctx.config));
  // 201 both times: a replay answers what the first request was answered.
  common::Response response = common::Response::ok(answer.order, 201);
  if (answer.replayed) response.with_header("Idempotent-Replayed", "true");
  return response;
}

common::Response list_orders(const common::Request& req, common::RouteContext& ctx) {
  const auto request = order_list_request(common::QueryParams::parse(req.query));
  return common::Response::ok(services::list_orders(ctx.db, ctx.principal->user_id, request));
}

common::Response get_order(const common::Request&, common::RouteContext& ctx) {
  return common::Response::ok(
      services::get_order(ctx.db, ctx.principal->user_id, ctx.params.at(0)));
}

common::Response pay_order(const common::Request& req, common::RouteContext& ctx) {
  return act(req, ctx, services::OrderAction::kPay);
}

common::Response cancel_order(const common::Request& req, common::RouteContext& ctx) {
  return act(req, ctx, services::OrderAction::kCancel);
}

common::Response ship_order(const common::Request& req, common::RouteContext& ctx) {
  return act(req, ctx, services::OrderAction::kShip);
}

common::Response refund_order(const common::Request& req, common::RouteContext& ctx) {
  return act(req, ctx, services::OrderAction::kRefund);
}

}  // namespace handlers
