// The pool's operations on the shared e2e stack: /status, /metrics, live
// sizing, and a worker killed under load. Every test leaves the pool as it
// found it (same worker count).
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "common/json.h"
#include "tests/support/http_client.h"
#include "tests/support/pool_stack.h"
#include "workers/ctl/ctl.h"

using namespace std::chrono_literals;
using test_support::eventually;

namespace {

pid_t shared_master() {
  std::ifstream in(test_support::e2e_state_dir() + "/run/server.pid");
  pid_t pid = 0;
  in >> pid;
  REQUIRE(pid > 0);
  return pid;
}

// /status?full with the workers' rows only in "processes" (the shared stack
// also runs a job runner; jobs_e2e_test.cc looks at it).
Json::Value shared_status() {
  const auto a = test_support::get(test_support::base_url(), "/status?full");
  if (a.status != 200) return Json::Value();
  Json::Value data = a.json()["data"];
  Json::Value workers(Json::arrayValue);
  for (const Json::Value& p : data["processes"]) {
    if (p["role"] == "worker") workers.append(p);
  }
  data["processes"] = workers;
  return data;
}

// Waits until no worker is starting or draining, and returns the count.
int settled_workers() {
  Json::Value s;
  const bool settled = eventually(
      [&] {
        s = shared_status();
        return s["starting"].asInt() == 0 && s["draining"].asInt() == 0 &&
               s["workers"].asInt() == s["target_workers"].asInt();
      },
      5000ms);
  REQUIRE(settled);
  return s["workers"].asInt();
}

std::string ctl_command(const std::string& line) {
  return ctl::send_command(test_support::e2e_state_dir() + "/run/ctl.sock", line, 5000);
}

Json::Value ctl_json(const std::string& line) {
  return common::json::parse_trusted(ctl_command(line));
}

// Puts the worker count back when a test that changes it ends, pass or fail.
struct RestoreWorkers {
  int count;
  ~RestoreWorkers() {
    try {
      ctl_command("workers =" + std::to_string(count));
      eventually([&] { return shared_status()["workers"].asInt() == count; }, 3000ms);
    } catch (...) {
    }
  }
};

const std::string kCategories =
    R"(http_requests_total{method="GET",route="/api/v1/categories",status="200"})";

}  // namespace

TEST_CASE("/status answers the API.md fields and ?full lists every worker", "[e2e][pool]") {
  const auto r = test_support::http_get("/status");
  REQUIRE(r.status == 200);
  const Json::Value body = r.json();
  CHECK(body["success"] == true);
  const Json::Value& d = body["data"];
  for (const char* field : {"master_pid", "mode", "workers", "idle", "busy", "max_workers",
                            "accepted_requests", "listen_queue", "started_at"}) {
    INFO(field);
    CHECK(d.isMember(field));
  }
  CHECK(d["master_pid"].asInt() == shared_master());
  CHECK(d["mode"] == "static");
  CHECK_FALSE(d.isMember("processes"));

  const Json::Value full = shared_status();
  REQUIRE(full["processes"].isArray());
  CHECK(full["processes"].size() == full["workers"].asUInt());
  for (const Json::Value& p : full["processes"]) {
    for (const char* field : {"pid", "state", "started_at", "requests", "request_method",
                              "request_uri", "request_ms", "rss_bytes"}) {
      INFO(field);
      CHECK(p.isMember(field));
    }
    CHECK(p["rss_bytes"].asInt64() > 0);
  }
}

TEST_CASE("the metrics counter equals the requests sent, across a worker replacement",
          "[e2e][pool][metrics]") {
  const int workers = settled_workers();
  const auto before_text = test_support::get(test_support::base_url(), "/metrics");
  REQUIRE(before_text.status == 200);
  const double before = std::max(0.0, test_support::metric_value(before_text.body, kCategories));
  {
    test_support::Load load(test_support::base_url(), "/api/v1/categories", 4, 60, 20s);
    load.wait();
    REQUIRE(load.failures() == 0);
  }
  // Replace one worker (SIGTERM: it finishes and exits; the master starts another).
  const Json::Value s = shared_status();
  const pid_t victim = s["processes"][0]["pid"].asInt();
  REQUIRE(::kill(victim, SIGTERM) == 0);
  CHECK(eventually([&] { return !test_support::process_alive(victim); }, 3000ms));
  CHECK(settled_workers() == workers);
  {
    test_support::Load load(test_support::base_url(), "/api/v1/categories", 4, 40, 20s);
    load.wait();
    REQUIRE(load.failures() == 0);
  }
  const auto after_text = test_support::get(test_support::base_url(), "/metrics");
  CHECK(test_support::metric_value(after_text.body, kCategories) - before == 100);
  CHECK(after_text.body.find("# TYPE http_request_duration_seconds histogram") !=
        std::string::npos);
  CHECK(after_text.body.find("db_query_duration_seconds_count") != std::string::npos);
}

TEST_CASE("SIGTTIN and SIGTTOU change the worker count within a second", "[e2e][pool]") {
  const int n = settled_workers();
  RestoreWorkers restore{n};
  const pid_t master = shared_master();

  REQUIRE(::kill(master, SIGTTIN) == 0);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(eventually(
      [&] {
        const Json::Value s = shared_status();
        return s["workers"].asInt() == n + 1 && s["target_workers"].asInt() == n + 1;
      },
      1000ms));
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);

  REQUIRE(::kill(master, SIGTTOU) == 0);
  CHECK(eventually([&] { return shared_status()["workers"].asInt() == n; }, 1000ms));
  CHECK(shared_status()["target_workers"].asInt() == n);
  CHECK(test_support::http_get("/api/v1/categories").status == 200);
}

TEST_CASE("ecommerce-ctl changes the count by number and refuses what is out of bounds",
          "[e2e][pool]") {
  const int n = settled_workers();
  RestoreWorkers restore{n};
  CHECK(test_support::get(test_support::base_url(), "/health").status == 200);
  Json::Value reply = ctl_json("workers +2");
  CHECK(reply["ok"] == true);
  CHECK(eventually([&] { return shared_status()["workers"].asInt() == n + 2; }, 1000ms));
  reply = ctl_json("workers -1");
  CHECK(reply["ok"] == true);
  CHECK(eventually([&] { return shared_status()["workers"].asInt() == n + 1; }, 1000ms));
  reply = ctl_json("workers =1000");
  CHECK(reply["ok"] == false);
  CHECK(reply["error"].asString().find("MAX_WORKERS") != std::string::npos);
  reply = ctl_json("status");
  CHECK(reply["ok"] == true);
  CHECK(reply["status"]["processes"].isArray());
}

TEST_CASE("/status and /metrics answer while every worker is busy", "[e2e][pool]") {
  const int n = settled_workers();
  std::vector<test_support::Answer> answers(static_cast<size_t>(n + 2));
  std::vector<std::thread> sleepers;
  for (auto& a : answers) {
    sleepers.emplace_back(
        [&a] { a = test_support::get(test_support::base_url(), "/__test/sleep?ms=2000"); });
  }
  std::this_thread::sleep_for(700ms);
  const auto t0 = std::chrono::steady_clock::now();
  const auto status = test_support::get(test_support::base_url(), "/status?full");
  const auto metrics = test_support::get(test_support::base_url(), "/metrics");
  const auto took = std::chrono::steady_clock::now() - t0;
  for (auto& t : sleepers) t.join();
  REQUIRE(status.status == 200);
  const Json::Value d = status.json()["data"];
  CHECK(d["busy"].asInt() == n);
  CHECK(d["idle"].asInt() == 0);
  CHECK(d["listen_queue"].asInt() >= 1);
  bool saw_sleep = false;
  for (const Json::Value& p : d["processes"]) {
    saw_sleep = saw_sleep || p["request_uri"].asString().starts_with("/__test/sleep");
  }
  CHECK(saw_sleep);
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find(R"(worker_pool_workers{state="busy"} )" + std::to_string(n)) !=
        std::string::npos);
  CHECK(took < 1s);
  for (const auto& a : answers) CHECK(a.status == 200);
}

TEST_CASE("kill -9 of a worker under load loses at most its in-flight request", "[e2e][pool]") {
  const int n = settled_workers();
  test_support::Load load(test_support::base_url(), "/api/v1/categories", 4, 0, 3s);
  std::this_thread::sleep_for(1s);
  const Json::Value s = shared_status();
  pid_t victim = 0;
  for (const Json::Value& p : s["processes"]) {
    if (p["state"] == "busy" || victim == 0) victim = p["pid"].asInt();
  }
  REQUIRE(victim > 0);
  REQUIRE(::kill(victim, SIGKILL) == 0);
  load.wait();
  INFO("errors: " << (load.errors().empty() ? "" : load.errors().front()));
  CHECK(load.sent() > 100);
  CHECK(load.failures() <= 1);
  CHECK(settled_workers() == n);
}
