// Fault suite: PostgreSQL stopped and started again under load, on a pool of
// its own (the e2e cluster is the one stopped). While it is down every answer
// that is not a 200 must be 503 UNAVAILABLE (never a 500 or a dropped
// connection); once it is up the same workers serve again within 2 s.
#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <set>
#include <thread>

#include "tests/e2e/fault_load.h"
#include "tests/support/http_client.h"
#include "tests/support/pool_stack.h"

using namespace std::chrono_literals;
using test_support::OwnStack;
using Env = std::map<std::string, std::string>;

namespace {

std::string pg_command(const std::string& action) {
  return "STATE_DIR='" + test_support::e2e_state_dir() + "' '" + test_support::e2e_repo() +
         "/scripts/pg.sh' " + action + " >/dev/null 2>&1";
}

// Starts the e2e PostgreSQL again if the test ends while it is stopped.
struct PostgresRestarter {
  bool stopped = false;
  ~PostgresRestarter() {
    if (stopped) test_support::shell(pg_command("start"));
  }
};

std::set<int> worker_pids(const OwnStack& stack) {
  std::set<int> out;
  const Json::Value status = stack.status();  // kept: the loop reads into it
  for (const Json::Value& p : status["processes"]) out.insert(p["pid"].asInt());
  return out;
}

}  // namespace

TEST_CASE(
    "fault: PostgreSQL stopped and started under load: 503 meanwhile, back within 2 s, no 500",
    "[e2e][fault][database]") {
  // Without the catalogue cache: every read must reach PostgreSQL, so that the
  // outage shows (with the cache, the product would be answered from Redis).
  OwnStack stack(Env{{"WORKERS", "4"}, {"REDIS_URL", "off"}});
  const std::string path = "/api/v1/products/1";
  REQUIRE(stack.get(path).status == 200);
  const std::set<int> workers_before = worker_pids(stack);
  REQUIRE(workers_before.size() == 4);

  fault::TimedGets load(stack.base_url(), path, 4, 30s);
  int64_t stopped_ms = 0, started_ms = 0;
  {
    PostgresRestarter restarter;
    std::this_thread::sleep_for(700ms);
    restarter.stopped = true;
    REQUIRE(test_support::shell(pg_command("stop")) == 0);
    stopped_ms = load.now_ms();
    std::this_thread::sleep_for(1500ms);
    REQUIRE(test_support::shell(pg_command("start")) == 0);
    restarter.stopped = false;
    started_ms = load.now_ms();
  }
  std::this_thread::sleep_for(3s);
  load.stop();

  int ok = 0, unavailable = 0, during_outage = 0, other = 0;
  int64_t last_failure_ms = -1;
  std::string first_other;
  for (const fault::TimedAnswer& a : load.answers()) {
    const bool in_outage = a.at_ms > stopped_ms && a.at_ms <= started_ms;
    during_outage += in_outage ? 1 : 0;
    if (a.status == 200) {
      ++ok;
      continue;
    }
    last_failure_ms = std::max(last_failure_ms, a.at_ms);
    if (a.status == 503 && a.code == "UNAVAILABLE") {
      ++unavailable;
    } else if (other++ == 0) {
      first_other = std::to_string(a.status) + " " + a.code + " at " + std::to_string(a.at_ms);
    }
  }
  const int64_t recovered_ms = std::max<int64_t>(0, last_failure_ms - started_ms);
  const size_t sent = load.answers().size();
  std::cout << "[fault] postgres restart under load: sent " << sent << ", 200 " << ok
            << ", 503 UNAVAILABLE " << unavailable << ", other failures " << other << "; outage "
            << (started_ms - stopped_ms) << " ms (" << during_outage << " answers); recovered in "
            << recovered_ms << " ms after PostgreSQL was up" << std::endl;

  INFO("first unexpected answer: " << first_other);
  CHECK(other == 0);  // no 500, 502 or dropped connection: only 200 or 503 UNAVAILABLE
  CHECK(during_outage > 0);
  CHECK(unavailable > 0);
  CHECK(recovered_ms <= 2000);
  CHECK(stack.get(path).status == 200);
  CHECK(worker_pids(stack) == workers_before);  // reconnected, not restarted
}
