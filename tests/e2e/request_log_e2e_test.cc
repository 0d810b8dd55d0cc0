// The request log's buffer (REQUEST_LOG_BUFFER_BYTES, REQUEST_LOG_FLUSH_MS):
// each request still gets its line, and a worker that leaves by a graceful
// stop, a reload or recycling writes every line it held; one killed with
// SIGKILL loses at most the lines of its last REQUEST_LOG_FLUSH_MS.
#include <signal.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/pool_stack.h"
#include "tests/support/temp_dir.h"

using namespace std::chrono_literals;
using test_support::eventually;
using test_support::OwnStack;
using Env = std::map<std::string, std::string>;

namespace {

// The request lines of the product-detail route in the log at `path` (JSON
// lines: OwnStack sets LOG_FORMAT=json).
int product_lines(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    n += line.find("\"event\":\"request\"") != std::string::npos &&
         line.find("\"route\":\"/api/v1/products/{id}\"") != std::string::npos;
  }
  return n;
}

// `n` product reads, each on a new connection; REQUIREs every one answered 200.
void read_products(const OwnStack& stack, int n) {
  for (int i = 0; i < n; ++i) REQUIRE(stack.get("/api/v1/products/1").status == 200);
}

std::vector<pid_t> worker_pids(const OwnStack& stack) {
  std::vector<pid_t> pids;
  const Json::Value status = stack.status();
  for (const Json::Value& p : status["processes"]) pids.push_back(p["pid"].asInt());
  return pids;
}

// A pool of two workers logging to `log` with the buffer on, plus `more`.
Env buffered(const std::string& log, Env more = {}) {
  more.insert({{"LOG_FILE", log},
               {"WORKERS", "2"},
               {"REQUEST_LOG_BUFFER_BYTES", "65536"},
               {"REQUEST_LOG_FLUSH_MS", "1000"}});
  return more;
}

}  // namespace

TEST_CASE("a graceful stop after recycling loses no request line", "[e2e][pool][log]") {
  const test_support::TempDir scratch("request-log");
  const std::string log = (scratch.path() / "pool.log").string();
  OwnStack stack(buffered(log, {{"MAX_REQUESTS", "15"}, {"MAX_REQUESTS_JITTER", "0"}}));
  const pid_t master = stack.master_pid();
  read_products(stack, 60);
  REQUIRE(::kill(master, SIGQUIT) == 0);
  REQUIRE(eventually([&] { return !test_support::process_alive(master); }, 10000ms));
  CHECK(product_lines(log) == 60);
}

TEST_CASE("a reload loses no request line", "[e2e][pool][log]") {
  const test_support::TempDir scratch("request-log");
  const std::string log = (scratch.path() / "pool.log").string();
  OwnStack stack(buffered(log));
  const std::vector<pid_t> before = worker_pids(stack);
  REQUIRE(before.size() == 2);
  read_products(stack, 40);
  REQUIRE(::kill(stack.master_pid(), SIGHUP) == 0);
  // Every worker that served them is gone: what they held was written as they left.
  REQUIRE(eventually(
      [&] {
        for (const pid_t pid : before) {
          if (test_support::process_alive(pid)) return false;
        }
        return true;
      },
      10000ms));
  CHECK(product_lines(log) == 40);
}

TEST_CASE("held request lines reach the file within REQUEST_LOG_FLUSH_MS, SIGKILL or not",
          "[e2e][pool][log]") {
  const test_support::TempDir scratch("request-log");
  const std::string log = (scratch.path() / "pool.log").string();
  OwnStack stack(buffered(log));
  read_products(stack, 30);
  // Idle workers write what they hold once the oldest line is a second old.
  std::this_thread::sleep_for(1500ms);
  for (const pid_t pid : worker_pids(stack)) ::kill(pid, SIGKILL);
  CHECK(product_lines(log) == 30);
}
