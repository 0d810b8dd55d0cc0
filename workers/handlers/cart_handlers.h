// HTTP handlers of the caller's cart (API.md "Cart"): parse, call one service
// function, render. Routes are kUser: ctx.principal is set.
#pragma once

#include "common/http.h"
#include "common/request_context.h"

namespace handlers {

common::Response get_cart(const common::Request& req, common::RouteContext& ctx);
common::Response add_cart_item(const common::Request& req, common::RouteContext& ctx);
common::Response update_cart_item(const common::Request& req, common::RouteContext& ctx);
common::Response delete_cart_item(const common::Request& req, common::RouteContext& ctx);

}  // namespace handlers
