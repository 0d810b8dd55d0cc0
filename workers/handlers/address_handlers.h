// HTTP handlers of the caller's address book (API.md "Addresses"). Routes are
// kUser: ctx.principal is set.
#pragma once

#include "common/http.h"
#include "common/request_context.h"

namespace handlers {

common::Response list_addresses(const common::Request& req, common::RouteContext& ctx);
common::Response create_address(const common::Request& req, common::RouteContext& ctx);
common::Response delete_address(const common::Request& req, common::RouteContext& ctx);

}  // namespace handlers
