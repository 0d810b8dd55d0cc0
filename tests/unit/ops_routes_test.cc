// The master's /status and /metrics through the route table (ops_routes.h).
#include "workers/server/ops_routes.h"

#include <catch2/catch.hpp>

#include "tests/support/responses.h"

namespace {

server::PoolView two_workers() {
  server::PoolView v;
  v.master_pid = 4321;
  v.mode = "static";
  server::WorkerRow idle;
  idle.state = "idle";
  idle.slot.pid = 11;
  v.workers = {idle, idle};
  return v;
}

common::Request request(std::string method, std::string path, std::string query = "") {
  common::Request req;
  req.method = std::move(method);
  req.path = std::move(path);
  req.query = std::move(query);
  req.request_id = "test-request";
  return req;
}

}  // namespace

TEST_CASE("/status answers the pool in the envelope and ?full adds the processes with a role",
          "[unit][ops]") {
  server::scoreboard::Scoreboard board(2);
  const common::Config config;
  server::OpsRoutes routes(two_workers, board, config);
  common::Response r = routes.answer(request("GET", "/status"));
  REQUIRE(r.status == 200);
  Json::Value body = test_support::body_json(r);
  CHECK(body["success"] == true);
  CHECK(body["data"]["master_pid"] == 4321);
  CHECK(body["data"]["workers"] == 2);
  CHECK_FALSE(body["data"].isMember("processes"));

  r = routes.answer(request("GET", "/status", "full"));
  body = test_support::body_json(r);
  REQUIRE(body["data"]["processes"].size() == 2);
  CHECK(body["data"]["processes"][0]["role"] == "worker");
}

TEST_CASE("/metrics answers Prometheus text", "[unit][ops]") {
  server::scoreboard::Scoreboard board(2);
  const common::Config config;
  server::OpsRoutes routes(two_workers, board, config);
  const common::Response r = routes.answer(request("GET", "/metrics"));
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(r.body.find("worker_pool_workers{state=\"idle\"} 2") != std::string::npos);
}

TEST_CASE("other paths are 404 and other methods 405 with Allow, as on the API", "[unit][ops]") {
  server::scoreboard::Scoreboard board(1);
  const common::Config config;
  server::OpsRoutes routes(two_workers, board, config);
  common::Response r = routes.answer(request("GET", "/nope"));
  CHECK(r.status == 404);
  CHECK(test_support::body_json(r)["error"]["code"] == "NOT_FOUND");
  r = routes.answer(request("POST", "/status"));
  CHECK(r.status == 405);
  CHECK(test_support::header_value(r, "Allow") == "GET");
  CHECK(routes.answer(request("HEAD", "/metrics")).status == 200);
}
