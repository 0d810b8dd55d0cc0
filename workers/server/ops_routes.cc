#include "workers/server/ops_routes.h"

#include "common/request_context.h"
#include "workers/server/dispatch.h"
#include "workers/server/metrics.h"

namespace server {

namespace {

constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace

OpsRoutes::OpsRoutes(std::function<PoolView()> view, const scoreboard::Scoreboard& board,
                     const common::Config& config)
    : view_(std::move(view)),
      board_(board),
      config_(config),
      router_({
          {"GET", "/status", common::Access::kPublic,
           [this](const common::Request& req, common::RouteContext&) {
             const bool full = common::QueryParams::parse(req.query).has("full");
             return common::Response::ok(status_data(view_(), full));
           }},
          {"GET", "/metrics", common::Access::kPublic,
           [this](const common::Request&, common::RouteContext&) {
             common::Response r;
             r.content_type = kMetricsContentType;
             r.body = render_metrics(board_, view_());
             return r;
           }},
      }),
      no_db_(common::pg::ConnectionOptions{}) {}

common::Response OpsRoutes::answer(const common::Request& req) {
  common::RouteContext ctx{no_db_, config_, {}, std::nullopt, nullptr, std::nullopt};
  return dispatch(router_, req, ctx).response;
}

}  // namespace server
