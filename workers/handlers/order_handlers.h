// HTTP handlers of checkout and orders (API.md "Orders"). The customer routes
// are kUser, ship and refund kAdmin: ctx.principal is set for all of them.
#pragma once

#include "common/http.h"
#include "common/request_context.h"

namespace handlers {

// POST /api/v1/orders/checkout: the body is optional; honours Idempotency-Key
// and marks a replayed answer with `Idempotent-Replayed: true`.
common::Response checkout(const common::Request& req, common::RouteContext& ctx);
common::Response list_orders(const common::Request& req, common::RouteContext& ctx);
common::Response get_order(const common::Request& req, common::RouteContext& ctx);
common::Response pay_order(const common::Request& req, common::RouteContext& ctx);
common::Response cancel_order(const common::Request& req, common::RouteContext& ctx);
common::Response ship_order(const common::Request& req, common::RouteContext& ctx);
common::Response refund_order(const common::Request& req, common::RouteContext& ctx);

}  // namespace handlers
