// HTTP handlers of /api/v1/admin/* catalogue writes (API.md "Administration").
// They are kAdmin routes: the central access check has set ctx.principal (an
// admin) before they run. Creates answer 201, updates 200, each with the
// resource as the public catalogue shows it.
#pragma once

#include "common/http.h"
#include "common/request_context.h"

namespace handlers {

common::Response admin_create_category(const common::Request& req, common::RouteContext& ctx);
common::Response admin_create_product(const common::Request& req, common::RouteContext& ctx);
common::Response admin_update_product(const common::Request& req, common::RouteContext& ctx);
common::Response admin_create_variant(const common::Request& req, common::RouteContext& ctx);
common::Response admin_update_variant(const common::Request& req, common::RouteContext& ctx);
common::Response admin_adjust_stock(const common::Request& req, common::RouteContext& ctx);

}  // namespace handlers
