// GET /health: a probe, not wrapped in the envelope. 200 when PostgreSQL
// answers, 503 "degraded" when it does not. A cache outage alone never makes it 503.
#pragma once

#include "common/http.h"
#include "common/request_context.h"

namespace handlers {

common::Response health(const common::Request& req, common::RouteContext& ctx);

}  // namespace handlers
