// HTTP handlers of the public catalogue: parse, call one service function, render.
#pragma once

#include "common/http.h"
#include "common/request_context.h"

namespace handlers {

common::Response list_categories(const common::Request& req, common::RouteContext& ctx);
common::Response list_products(const common::Request& req, common::RouteContext& ctx);
common::Response get_product(const common::Request& req, common::RouteContext& ctx);

}  // namespace handlers
