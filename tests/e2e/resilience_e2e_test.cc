// The pool survives what happens to processes around it: a worker killed
// mid-flight, PostgreSQL going away and coming back.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/http_client.h"

using test_support::http_get;

namespace {

pid_t master_pid() {
  std::ifstream in(test_support::e2e_state_dir() + "/run/server.pid");
  pid_t pid = 0;
  in >> pid;
  REQUIRE(pid > 0);
  REQUIRE(::kill(pid, 0) == 0);
  return pid;
}

std::vector<pid_t> worker_pids(pid_t master) {
  std::ifstream in("/proc/" + std::to_string(master) + "/task/" + std::to_string(master) +
                   "/children");
  std::vector<pid_t> out;
  pid_t pid;
  while (in >> pid) out.push_back(pid);
  return out;
}

std::string pg_command(const std::string& action) {
  return "STATE_DIR='" + test_support::e2e_state_dir() + "' '" + test_support::e2e_repo() +
         "/scripts/pg.sh' " + action + " >/dev/null 2>&1";
}

// Starts the e2e PostgreSQL again when a test that stopped it ends, pass or fail.
struct PostgresRestarter {
  ~PostgresRestarter() { test_support::shell(pg_command("start")); }
};

}  // namespace

TEST_CASE("a worker killed with SIGKILL is replaced and the service keeps answering",
          "[e2e][pool]") {
  const pid_t master = master_pid();
  const auto before = worker_pids(master);
  REQUIRE(before.size() >= 2);
  REQUIRE(::kill(before.front(), SIGKILL) == 0);

  for (int i = 0; i < 20; ++i) CHECK(http_get("/api/v1/categories").status == 200);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::vector<pid_t> after;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    after = worker_pids(master);
  } while (after.size() != before.size() && std::chrono::steady_clock::now() < deadline);
  CHECK(after.size() == before.size());
  CHECK(std::find(after.begin(), after.end(), before.front()) == after.end());
}

TEST_CASE(
    "with PostgreSQL stopped health and uncached reads are 503, and they recover without a restart",
    "[e2e][pool][database]") {
  REQUIRE(http_get("/health").status == 200);
  // Cached before the outage: answered from the cache during it (nothing can
  // commit meanwhile, so nothing it holds can go stale).
  http_get("/api/v1/categories");
  REQUIRE(http_get("/api/v1/categories").header("cache-status") == "ecommerce; hit");
  const pid_t master = master_pid();
  const auto workers_before = worker_pids(master);
  {
    PostgresRestarter restart_guard;
    REQUIRE(test_support::shell(pg_command("stop")) == 0);

    const auto health = test_support::wait_for_status("/health", 503, 10000);
    CHECK(health.status == 503);
    CHECK(health.json()["status"] == "degraded");
    CHECK(health.json()["database"] == "unreachable");

    // Never cached: each of these is a key nobody asked for before.
    const std::string fresh =
        std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    for (const std::string& path :
         {"/api/v1/products?q=outage" + fresh, "/api/v1/products/" + fresh}) {
      const auto r = http_get(path);
      INFO(path << " " << r.body);
      CHECK(r.status == 503);
      CHECK(r.json()["error"]["code"] == "UNAVAILABLE");
    }
    const auto cached = http_get("/api/v1/categories");
    CHECK(cached.status == 200);
    CHECK(cached.header("cache-status") == "ecommerce; hit");
  }
  // The guard started PostgreSQL again; the same workers reconnect on their own.
  CHECK(test_support::wait_for_status("/health", 200, 20000).status == 200);
  CHECK(test_support::wait_for_status("/api/v1/products", 200, 20000).status == 200);
  for (int i = 0; i < 10; ++i) CHECK(http_get("/api/v1/categories").status == 200);
  CHECK(worker_pids(master) == workers_before);
}
