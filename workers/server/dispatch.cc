#include "workers/server/dispatch.h"

#include "common/json.h"
#include "common/log.h"
#include "common/pg.h"
#include "workers/server/access_check.h"

namespace server {

using common::AppError;
using common::ErrorCode;

common::Response error_response(const AppError& error, const std::string& request_id) {
  common::Response r = common::Response::raw_json(common::error_envelope(error, request_id),
                                                  common::http_status(error.code()));
  for (const auto& [name, value] : error.headers()) r.with_header(name, value);
  return r;
}

DispatchResult dispatch(const common::Router& router, const common::Request& req,
                        common::RouteContext& ctx) {
  DispatchResult result{common::Response{}, "unmatched"};
  try {
    const common::RouteMatch match = router.match(req.method, req.path);
    if (match.kind == common::RouteMatch::Kind::kNotFound) {
      throw AppError(ErrorCode::kNotFound, "no such resource");
    }
    if (match.kind == common::RouteMatch::Kind::kMethodNotAllowed) {
      throw AppError(ErrorCode::kMethodNotAllowed, "method " + req.method + " is not allowed here")
          .with_header("Allow", match.allow);
    }
    result.route = match.route->pattern;
    check_access(match.route->access, req, ctx);
    ctx.params = match.params;
    result.response = match.route->handler(req, ctx);
  } catch (const AppError& e) {
    if (e.code() == ErrorCode::kInternal || e.code() == ErrorCode::kUnavailable) {
      common::log::error("request failed",
                         {{"code", common::error_code_name(e.code())}, {"detail", e.log_detail()}});
    }
    result.response = error_response(e, req.request_id);
  } catch (const common::pg::DbError& e) {
    const AppError mapped = common::pg::to_app_error(e);
    common::log::error("database error", {{"sqlstate", e.sqlstate()}, {"detail", e.what()}});
    result.response = error_response(mapped, req.request_id);
  } catch (const std::exception& e) {
    common::log::error("unhandled exception", {{"detail", e.what()}});
    result.response =
        error_response(AppError(ErrorCode::kInternal, "internal error"), req.request_id);
  }
  return result;
}

}  // namespace server
