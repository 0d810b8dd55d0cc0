#include "workers/server/dispatch.h"

#include <catch2/catch.hpp>

#include "common/json.h"
#include "common/pg.h"
#include "tests/support/responses.h"

using common::Access;
using common::AppError;
using common::ErrorCode;

namespace {

common::Response ok_handler(const common::Request&, common::RouteContext& ctx) {
  Json::Value data(Json::objectValue);
  data["id"] = static_cast<Json::Int64>(ctx.params.at(0));
  return common::Response::ok(data);
}

common::Response empty_handler(const common::Request&, common::RouteContext&) {
  return common::Response::ok(Json::Value(Json::objectValue));
}

common::Router test_router() {
  return common::Router({
      {"GET", "/things/{id}", Access::kPublic, ok_handler},
      {"GET", "/local", Access::kLoopback, empty_handler},
      {"GET", "/mine", Access::kUser, empty_handler},
      {"GET", "/conflict", Access::kPublic,
       [](const common::Request&, common::RouteContext&) -> common::Response {
         throw AppError(ErrorCode::kConflict, "sku already taken");
       }},
      {"GET", "/db-down", Access::kPublic,
       [](const common::Request&, common::RouteContext&) -> common::Response {
         throw common::pg::DbError(common::pg::DbErrorKind::kConnection, "08006", "",
                                   "server closed the connection: SELECT secret FROM users");
       }},
      {"GET", "/bug", Access::kPublic,
       [](const common::Request&, common::RouteContext&) -> common::Response {
         throw std::out_of_range("vector::at leaked detail");
       }},
  });
}

struct Fixture {
  common::Config config;
  common::pg::Connection db{common::pg::ConnectionOptions{}};
  common::Router router = test_router();

  server::DispatchResult run(const std::string& method, const std::string& path,
                             const std::string& remote = "10.0.0.1") {
    common::Request req;
    req.method = method;
    req.path = path;
    req.remote_addr = remote;
    req.request_id = "rid-42";
    common::RouteContext ctx{db, config, {}, std::nullopt, nullptr, std::nullopt};
    return server::dispatch(router, req, ctx);
  }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "dispatch passes path parameters to the handler", "[unit][dispatch]") {
  const auto r = run("GET", "/things/17");
  CHECK(r.response.status == 200);
  CHECK(r.route == "/things/{id}");
  CHECK(test_support::body_json(r.response)["data"]["id"] == 17);
}

TEST_CASE_METHOD(Fixture, "unknown routes are 404 in the envelope with the request id",
                 "[unit][dispatch]") {
  const auto r = run("GET", "/things/abc");
  CHECK(r.response.status == 404);
  CHECK(test_support::body_json(r.response)["error"]["code"] == "NOT_FOUND");
  CHECK(test_support::body_json(r.response)["request_id"] == "rid-42");
  CHECK(r.route == "unmatched");
}

TEST_CASE_METHOD(Fixture, "a wrong method is 405 with Allow", "[unit][dispatch]") {
  const auto r = run("POST", "/things/1");
  CHECK(r.response.status == 405);
  CHECK(test_support::body_json(r.response)["error"]["code"] == "METHOD_NOT_ALLOWED");
  CHECK(test_support::header_value(r.response, "Allow") == "GET");
}

TEST_CASE_METHOD(Fixture, "service errors keep their code and status", "[unit][dispatch]") {
  const auto r = run("GET", "/conflict");
  CHECK(r.response.status == 409);
  CHECK(test_support::body_json(r.response)["error"]["code"] == "CONFLICT");
}

TEST_CASE_METHOD(Fixture, "a lost database is 503 UNAVAILABLE without SQL in the answer",
                 "[unit][dispatch]") {
  const auto r = run("GET", "/db-down");
  CHECK(r.response.status == 503);
  CHECK(test_support::body_json(r.response)["error"]["code"] == "UNAVAILABLE");
  CHECK(r.response.body.find("SELECT") == std::string::npos);
}

TEST_CASE_METHOD(Fixture, "an unexpected exception is a 500 that leaks nothing",
                 "[unit][dispatch]") {
  const auto r = run("GET", "/bug");
  CHECK(r.response.status == 500);
  CHECK(test_support::body_json(r.response)["error"]["code"] == "INTERNAL_ERROR");
  CHECK(r.response.body.find("vector") == std::string::npos);
}

TEST_CASE_METHOD(Fixture, "loopback-only routes refuse other addresses", "[unit][dispatch]") {
  CHECK(run("GET", "/local", "10.1.2.3").response.status == 403);
  CHECK(run("GET", "/local", "127.0.0.1").response.status == 200);
  CHECK(run("GET", "/local", "::1").response.status == 200);
}

TEST_CASE_METHOD(Fixture, "routes that need a user answer 401 with WWW-Authenticate",
                 "[unit][dispatch]") {
  const auto r = run("GET", "/mine");
  CHECK(r.response.status == 401);
  CHECK(test_support::header_value(r.response, "WWW-Authenticate") == "Bearer");
}
