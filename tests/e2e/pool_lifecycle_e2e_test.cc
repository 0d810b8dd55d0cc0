// The pool's lifecycle, each test on a stack of its own (OwnStack: its own
// settings, STATE_DIR and port; the e2e cluster's database): reload, recycling,
// request timeouts, upgrade, stops, and the master dying.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/json.h"
#include "tests/support/api_session.h"
#include "tests/support/http_client.h"
#include "tests/support/pool_stack.h"
#include "workers/ctl/ctl.h"

using namespace std::chrono_literals;
using test_support::eventually;
using test_support::Load;
using test_support::OwnStack;
using Env = std::map<std::string, std::string>;

namespace {

// A scratch directory outside the stack's, for files the stack is started with.
struct ScratchDir {
  std::string path;
  ScratchDir() {
    char dir[] = "/tmp/pool-scratch-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    path = dir;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Json::Value ctl_json(const OwnStack& stack, const std::string& line) {
  return common::json::parse_trusted(
      ctl::send_command(stack.state_dir() + "/run/ctl.sock", line, 10000));
}

bool all_generation(const Json::Value& status, int generation) {
  for (const Json::Value& p : status["processes"]) {
    if (p["generation"].asInt() != generation) return false;
  }
  return status["draining"].asInt() == 0 && status["starting"].asInt() == 0;
}

std::string first_error(const Load& load) {
  const auto errors = load.errors();
  return errors.empty() ? "" : errors.front();
}

}  // namespace

TEST_CASE("reload under load replaces every worker without a failed request",
          "[e2e][pool][lifecycle]") {
  ScratchDir scratch;
  const std::string conf = scratch.path + "/pool.conf";
  write_file(conf, "WORKERS=3\n");
  OwnStack stack(Env{{"CONFIG_FILE", conf}});
  REQUIRE(stack.status()["workers"].asInt() == 3);

  Load load(stack.base_url(), "/api/v1/categories", 6, 0, 15s);
  std::this_thread::sleep_for(1s);
  write_file(conf, "WORKERS=4\n");
  REQUIRE(::kill(stack.master_pid(), SIGHUP) == 0);
  CHECK(eventually(
      [&] {
        const Json::Value s = stack.status();
        return s["generation"].asInt() == 2 && s["workers"].asInt() == 4 && all_generation(s, 2);
      },
      8000ms));

  // An invalid file is refused and the pool keeps serving as it was.
  write_file(conf, "WORKERS=lots\n");
  Json::Value reply = ctl_json(stack, "reload");
  CHECK(reply["ok"] == false);
  CHECK(reply["error"].asString().find("WORKERS") != std::string::npos);
  CHECK(stack.status()["generation"].asInt() == 2);

  // A count set at runtime survives a reload.
  reply = ctl_json(stack, "workers =5");
  CHECK(reply["ok"] == true);
  write_file(conf, "WORKERS=2\n");
  reply = ctl_json(stack, "reload");
  CHECK(reply["ok"] == true);
  CHECK(eventually(
      [&] {
        const Json::Value s = stack.status();
        return s["generation"].asInt() == 3 && s["workers"].asInt() == 5 && all_generation(s, 3);
      },
      8000ms));
  std::this_thread::sleep_for(500ms);
  load.stop();
  load.wait();
  INFO("first error: " << first_error(load));
  CHECK(load.sent() > 300);
  CHECK(load.failures() == 0);
  CHECK(stack.status()["counters"]["reloads"].asInt() == 2);
}

TEST_CASE("MAX_REQUESTS recycles workers under load without a failed request",
          "[e2e][pool][lifecycle]") {
  OwnStack stack(Env{{"WORKERS", "3"}, {"MAX_REQUESTS", "40"}, {"MAX_REQUESTS_JITTER", "10"}});
  const Json::Value initial = stack.status();
  std::vector<pid_t> first;
  for (const Json::Value& p : initial["processes"]) first.push_back(p["pid"].asInt());
  REQUIRE(first.size() == 3);
  // A worker over its limit keeps serving until its replacement is ready (a
  // tick or two), so recycling is paced by time, not by the request count.
  Load load(stack.base_url(), "/api/v1/categories", 4, 0, 3s);
  load.wait();
  INFO("first error: " << first_error(load));
  CHECK(load.sent() > 500);
  CHECK(load.failures() == 0);
  Json::Value s;
  CHECK(eventually(
      [&] {
        s = stack.status();
        return s["workers"].asInt() == 3 && s["draining"].asInt() == 0;
      },
      5000ms));
  CHECK(s["counters"]["recycles"].asInt() >= 5);
  CHECK(s["counters"]["spawns"].asInt() >= 8);
  for (const pid_t pid : first) CHECK_FALSE(test_support::process_alive(pid));
}

TEST_CASE("MAX_RSS_MB replaces a worker whose memory grew", "[e2e][pool][lifecycle]") {
  OwnStack stack(Env{{"WORKERS", "2"}, {"MAX_RSS_MB", "48"}});
  const auto a = stack.get("/__test/alloc?mb=64");
  REQUIRE(a.status == 200);
  CHECK(a.json()["data"]["rss_bytes"].asInt64() > (48 << 20));
  Json::Value s;
  CHECK(eventually(
      [&] {
        s = stack.status();
        return s["counters"]["recycles"].asInt() == 1 && s["workers"].asInt() == 2 &&
               s["draining"].asInt() == 0;
      },
      5000ms));
  for (const Json::Value& p : s["processes"]) CHECK(p["rss_bytes"].asInt64() < (48 << 20));
}

TEST_CASE("a request past REQUEST_TIMEOUT_S gets 504 and its query is cancelled",
          "[e2e][pool][lifecycle]") {
  OwnStack stack(Env{{"WORKERS", "2"}, {"REQUEST_TIMEOUT_S", "2"}, {"REQUEST_SLOW_MS", "500"}});
  const std::string db = test_support::e2e_database_url();
  const auto t0 = std::chrono::steady_clock::now();
  const auto a = stack.get("/__test/sleep?ms=20000");
  const auto took = std::chrono::steady_clock::now() - t0;
  INFO(a.body);
  CHECK(a.status == 504);
  CHECK(a.json()["error"]["code"] == "TIMEOUT");
  CHECK(a.json()["success"] == false);
  CHECK(took < 5s);
  CHECK(eventually(
      [&] {
        return test_support::query_value(
                   db,
                   "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep%' "
                   "AND state = 'active' AND pid <> pg_backend_pid()") == "0";
      },
      3000ms));
  Json::Value s;
  CHECK(eventually(
      [&] {
        s = stack.status();
        return s["workers"].asInt() == 2 && s["draining"].asInt() == 0;
      },
      5000ms));
  CHECK(s["counters"]["timeouts"].asInt() == 1);
  CHECK(s["counters"]["slow_requests"].asInt() == 1);
  CHECK(s["counters"]["worker_exits"].asInt() == 1);  // the worker was replaced
  const std::string log = read_file(stack.state_dir() + "/log/server.log");
  CHECK(log.find("\"event\":\"slow request\"") != std::string::npos);
  CHECK(log.find("pg_sleep") != std::string::npos);
  CHECK(log.find("\"event\":\"query cancelled\"") != std::string::npos);
  CHECK(stack.get("/api/v1/categories").status == 200);
}

TEST_CASE("kill -9 of the master leaves no worker behind", "[e2e][pool][lifecycle]") {
  OwnStack stack(Env{{"WORKERS", "3"}});
  const Json::Value s = stack.status();
  std::vector<pid_t> workers;
  for (const Json::Value& p : s["processes"]) workers.push_back(p["pid"].asInt());
  REQUIRE(workers.size() == 3);
  REQUIRE(::kill(stack.master_pid(), SIGKILL) == 0);
  CHECK(eventually(
      [&] {
        for (const pid_t w : workers) {
          if (test_support::process_alive(w)) return false;
        }
        return true;
      },
      5000ms));
}

TEST_CASE("SIGUSR2 upgrades the binary under load without a failed request",
          "[e2e][pool][lifecycle]") {
  OwnStack stack(Env{{"WORKERS", "3"}});
  const pid_t old_master = stack.master_pid();
  ::kill(old_master, SIGTTIN);  // a runtime count, which the upgrade keeps
  CHECK(eventually([&] { return stack.status()["workers"].asInt() == 4; }, 2000ms));
  Load load(stack.base_url(), "/api/v1/categories", 6, 0, 15s);
  std::this_thread::sleep_for(1s);
  REQUIRE(::kill(old_master, SIGUSR2) == 0);
  CHECK(eventually(
      [&] { return stack.master_pid() != old_master && !test_support::process_alive(old_master); },
      10000ms));
  std::this_thread::sleep_for(500ms);
  load.stop();
  load.wait();
  INFO("first error: " << first_error(load));
  CHECK(load.sent() > 300);
  CHECK(load.failures() == 0);
  const Json::Value s = stack.status();
  CHECK(s["master_pid"].asInt() == stack.master_pid());
  CHECK(s["workers"].asInt() == 4);
  CHECK(stack.get("/api/v1/categories").status == 200);
}

TEST_CASE("SIGQUIT lets the request in flight finish, then stops", "[e2e][pool][lifecycle]") {
  OwnStack stack(Env{{"WORKERS", "2"}});
  const pid_t master = stack.master_pid();
  test_support::Answer slow;
  std::thread t([&] { slow = stack.get("/__test/sleep?ms=1500"); });
  std::this_thread::sleep_for(300ms);
  REQUIRE(::kill(master, SIGQUIT) == 0);
  t.join();
  CHECK(slow.status == 200);
  CHECK(eventually([&] { return !test_support::process_alive(master); }, 5000ms));
  CHECK_FALSE(std::filesystem::exists(stack.state_dir() + "/run/fcgi.sock"));
}

TEST_CASE("SIGTERM stops at once, abandoning the request in flight", "[e2e][pool][lifecycle]") {
  OwnStack stack(Env{{"WORKERS", "2"}});
  const pid_t master = stack.master_pid();
  test_support::Answer slow;
  std::thread t([&] { slow = stack.get("/__test/sleep?ms=5000"); });
  std::this_thread::sleep_for(300ms);
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(::kill(master, SIGTERM) == 0);
  CHECK(eventually([&] { return !test_support::process_alive(master); }, 3000ms));
  t.join();
  CHECK(std::chrono::steady_clock::now() - t0 < 3s);
  CHECK(slow.status == 502);
}

TEST_CASE("requests are logged as JSON lines and SIGUSR1 reopens LOG_FILE",
          "[e2e][pool][lifecycle]") {
  ScratchDir scratch;
  const std::string log = scratch.path + "/pool.log";
  OwnStack stack(Env{{"LOG_FILE", log}, {"WORKERS", "2"}});
  REQUIRE(stack.get("/api/v1/products/1").status == 200);
  REQUIRE(eventually(
      [&] { return read_file(log).find("\"event\":\"request\"") != std::string::npos; }, 2000ms));
  // The request line: time, level, request id, worker pid, method, route, status, duration.
  std::istringstream lines(read_file(log));
  std::string line;
  Json::Value request;
  while (std::getline(lines, line)) {
    if (line.find("\"event\":\"request\"") != std::string::npos) {
      request = common::json::parse_trusted(line);
    }
  }
  for (const char* field :
       {"time", "level", "request_id", "pid", "method", "route", "status", "duration_ms"}) {
    INFO(field);
    CHECK(request.isMember(field));
  }
  CHECK(request["route"] == "/api/v1/products/{id}");

  REQUIRE(std::rename(log.c_str(), (log + ".1").c_str()) == 0);  // as logrotate does
  REQUIRE(::kill(stack.master_pid(), SIGUSR1) == 0);
  // Workers reopen between requests: the signal wakes their poll() at once.
  std::this_thread::sleep_for(300ms);
  for (int i = 0; i < 4; ++i) CHECK(stack.get("/api/v1/categories").status == 200);
  const std::string categories = "\"route\":\"/api/v1/categories\"";
  CHECK(eventually([&] { return read_file(log).find(categories) != std::string::npos; }, 2000ms));
  CHECK(read_file(log + ".1").find(categories) == std::string::npos);
  CHECK(read_file(log).find("\"event\":\"log file reopened\"") != std::string::npos);
}

TEST_CASE("dynamic mode grows under load and shrinks back when idle", "[e2e][pool][lifecycle]") {
  OwnStack stack(Env{{"POOL_MODE", "dynamic"},
                     {"MIN_WORKERS", "1"},
                     {"MAX_WORKERS", "4"},
                     {"MIN_SPARE", "1"},
                     {"MAX_SPARE", "1"},
                     {"IDLE_TIMEOUT_S", "1"}});
  Json::Value s = stack.status();
  CHECK(s["mode"] == "dynamic");
  CHECK(s["workers"].asInt() <= 2);  // the floor plus one spare
  std::vector<test_support::Answer> answers(4);
  std::vector<std::thread> sleepers;
  for (auto& a : answers) {
    sleepers.emplace_back([&a, &stack] { a = stack.get("/__test/sleep?ms=2500"); });
  }
  int peak = 0;
  eventually(
      [&] {
        peak = std::max(peak, stack.status()["workers"].asInt());
        return peak == 4;
      },
      2500ms);
  for (auto& t : sleepers) t.join();
  CHECK(peak == 4);
  for (const auto& a : answers) CHECK(a.status == 200);
  CHECK(eventually(
      [&] {
        s = stack.status();
        return s["workers"].asInt() <= 2 && s["draining"].asInt() == 0;
      },
      8000ms));
  CHECK(s["workers"].asInt() >= 1);
}

TEST_CASE("a size beyond what PostgreSQL allows is refused", "[e2e][pool][lifecycle]") {
  const std::string db = test_support::e2e_database_url();
  const int max_connections = std::stoi(test_support::query_value(db, "SHOW max_connections"));
  const int reserved =
      std::stoi(test_support::query_value(db, "SHOW superuser_reserved_connections"));
  // Leave the pool room for exactly 2 workers plus RELOAD_BATCH (2).
  const int pool_room = 4;
  OwnStack stack(
      Env{{"WORKERS", "2"},
          {"DB_RESERVED_CONNECTIONS", std::to_string(max_connections - reserved - pool_room)}});
  const Json::Value reply = ctl_json(stack, "workers +1");
  CHECK(reply["ok"] == false);
  CHECK(reply["error"].asString().find("PostgreSQL allows the pool 4") != std::string::npos);
  ::kill(stack.master_pid(), SIGTTIN);
  std::this_thread::sleep_for(300ms);
  CHECK(stack.status()["workers"].asInt() == 2);
  const std::string log = read_file(stack.state_dir() + "/log/server.log");
  CHECK(log.find("too many database connections") != std::string::npos);
}

TEST_CASE("workers that crash at start-up are respawned with a growing delay shown in /status",
          "[e2e][pool][lifecycle]") {
  OwnStack stack(Env{{"WORKERS", "1"}});
  const auto worker = [&stack]() -> pid_t {
    const Json::Value s = stack.status();
    return s["processes"].empty() ? 0 : s["processes"][0]["pid"].asInt();
  };
  // A worker killed right after it started counts as a start-up crash.
  pid_t pid = worker();
  std::this_thread::sleep_for(2100ms);  // the first one is past the start-up window
  REQUIRE(::kill(pid, SIGKILL) == 0);
  pid_t next = 0;
  CHECK(eventually([&] { return (next = worker()) != 0 && next != pid; }, 1000ms));  // at once
  for (int crash = 1; crash <= 2; ++crash) {
    pid = next;
    REQUIRE(::kill(pid, SIGKILL) == 0);
    CHECK(eventually([&] { return stack.status()["counters"]["crash_loops"].asInt() == crash; },
                     1000ms));
    const Json::Value backoff = stack.status()["crash_backoff"];
    CHECK(backoff["active"] == true);
    CHECK(backoff["delay_s"].asInt() == crash);  // 1 s, then 2 s
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(eventually([&] { return (next = worker()) != 0 && next != pid; }, 4000ms));
    CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(crash * 1000 - 200));
  }
  CHECK(eventually([&] { return stack.status()["crash_backoff"]["active"] == false; }, 3000ms));
  CHECK(stack.get("/api/v1/categories").status == 200);
}
