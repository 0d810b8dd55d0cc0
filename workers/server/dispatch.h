// One request through the route table: match, the central access check, the
// handler, and every failure turned into the API.md error envelope. This is
// the single place where exceptions become HTTP answers.
#pragma once

#include "common/http.h"
#include "common/router.h"

namespace server {

struct DispatchResult {
  common::Response response;
  std::string route;  // the matched pattern, or "unmatched"
};

// Never throws. `ctx.params` is filled from the match.
DispatchResult dispatch(const common::Router& router, const common::Request& req,
                        common::RouteContext& ctx);

// Renders an AppError as a Response (envelope + its extra headers).
common::Response error_response(const common::AppError& error, const std::string& request_id);

}  // namespace server
