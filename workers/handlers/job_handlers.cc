#include "workers/handlers/job_handlers.h"

#include "common/error.h"

namespace handlers {

services::JobListRequest job_list_request(const common::QueryParams& q) {
  common::FieldErrors errors;
  services::JobListRequest req;
  if (auto limit = common::query_int(q, "limit", {1, 100}, errors)) {
    req.limit = static_cast<int>(*limit);
  }
  req.after = common::query_int(q, "after", {.min = 1}, errors,
                                "must be a positive integer (the cursor of the previous page)");
  if (auto queue = q.get("queue")) {
    if (services::is_job_queue(*queue)) {
      req.queue = std::move(*queue);
    } else {
      errors.add("queue", "must be one of email, orders, inventory");
    }
  }
  if (auto state = q.get("state")) {
    if (services::is_job_state(*state)) {
      req.state = std::move(*state);
    } else {
      errors.add("state", "must be one of queued, running, done, dead");
    }
  }
  errors.throw_if_any();
  return req;
}

common::Response admin_list_jobs(const common::Request& req, common::RouteContext& ctx) {
  const auto request = job_list_request(common::QueryParams::parse(req.query));
  return common::Response::ok(services::list_jobs(ctx.db, request));
}

common::Response admin_get_job(const common::Request&, common::RouteContext& ctx) {
  return common::Response::ok(services::get_job(ctx.db, ctx.params.at(0)));
}

common::Response admin_retry_job(const common::Request&, common::RouteContext& ctx) {
  return common::Response::ok(services::retry_job(ctx.db, ctx.params.at(0)));
}

}  // namespace handlers
