// Job runners as supervised children, on a stack of their own (OwnStack): a
// runner killed with SIGKILL is replaced, a reload applies JOB_RUNNERS (more,
// fewer, none), and a graceful stop lets the runners go with the workers.
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "tests/support/pool_stack.h"
#include "tests/support/temp_dir.h"

using namespace std::chrono_literals;
using test_support::eventually;
using test_support::OwnStack;
using Env = std::map<std::string, std::string>;

namespace {

std::set<pid_t> runner_pids(const Json::Value& status) {
  std::set<pid_t> pids;
  for (const Json::Value& p : status["processes"]) {
    if (p["role"] == "job-runner" && p["state"] != "draining") pids.insert(p["pid"].asInt());
  }
  return pids;
}

}  // namespace

TEST_CASE("a job runner is replaced when it dies, and a reload applies JOB_RUNNERS",
          "[e2e][jobs][pool]") {
  const test_support::TempDir dir("runner-scratch");
  const std::string conf = (dir.path() / "pool.conf").string();
  std::ofstream(conf) << "JOB_RUNNERS=1\n";
  {
    OwnStack stack(Env{{"CONFIG_FILE", conf}, {"WORKERS", "2"}});
    Json::Value s;
    REQUIRE(eventually(
        [&] {
          s = stack.status();
          return s["jobs"]["runners"] == 1 && runner_pids(s).size() == 1;
        },
        10s));
    CHECK(s["workers"] == 2);  // runners are not workers
    const pid_t first = *runner_pids(s).begin();

    REQUIRE(::kill(first, SIGKILL) == 0);
    CHECK(eventually(
        [&] {
          const auto pids = runner_pids(stack.status());
          return pids.size() == 1 && !pids.contains(first);
        },
        10s));
    CHECK_FALSE(test_support::process_alive(first));

    std::ofstream(conf, std::ios::trunc) << "JOB_RUNNERS=2\n";
    REQUIRE(::kill(stack.master_pid(), SIGHUP) == 0);
    CHECK(eventually([&] { return stack.status()["jobs"]["runners"] == 2; }, 10s));
    CHECK(eventually([&] { return runner_pids(stack.status()).size() == 2; }, 10s));

    std::ofstream(conf, std::ios::trunc) << "JOB_RUNNERS=0\n";
    REQUIRE(::kill(stack.master_pid(), SIGHUP) == 0);
    CHECK(eventually([&] { return stack.status()["jobs"]["runners"] == 0; }, 15s));
    CHECK(stack.get("/api/v1/categories").status == 200);
  }
}
