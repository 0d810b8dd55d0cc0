// Fault suite: the operations that replace processes under load must not fail
// a single request. A reload (SIGHUP) and a binary upgrade (SIGUSR2) during a
// checkout load, and nginx reloaded during a read load, each on a stack of its own.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>

#include "common/pg.h"
#include "tests/e2e/fault_load.h"
#include "tests/support/api_session.h"
#include "tests/support/http_client.h"
#include "tests/support/invariants.h"
#include "tests/support/pool_stack.h"
#include "tests/support/temp_dir.h"

using namespace std::chrono_literals;
using test_support::eventually;
using test_support::OwnStack;
using Env = std::map<std::string, std::string>;

namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

int64_t ms_since(fault::Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(fault::Clock::now() - t0).count();
}

bool whole_generation(const Json::Value& status, int generation, int workers) {
  if (status["generation"].asInt() != generation || status["workers"].asInt() != workers) {
    return false;
  }
  for (const Json::Value& p : status["processes"]) {
    if (p["generation"].asInt() != generation) return false;
  }
  return status["draining"].asInt() == 0 && status["starting"].asInt() == 0;
}

// The children of a process (nginx's workers).
std::set<int> children(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::set<int> out;
  int child;
  while (in >> child) out.insert(child);
  return out;
}

int read_pid(const std::string& path) {
  std::ifstream in(path);
  int pid = 0;
  in >> pid;
  return pid;
}

}  // namespace

TEST_CASE("fault: a reload and a SIGUSR2 upgrade during checkout load fail no request",
          "[e2e][fault][lifecycle]") {
  test_support::TempDir scratch("fault-reload");
  const std::string conf = (scratch.path() / "pool.conf").string();
  write_file(conf, "WORKERS=3\n");
  OwnStack stack(Env{{"CONFIG_FILE", conf}});
  const test_support::Session admin = test_support::admin_session();
  const test_support::CreatedVariant variant = test_support::api_make_variant(admin, 100000, 250);
  std::vector<fault::Buyer> buyers;
  for (int i = 0; i < 4; ++i) buyers.push_back(fault::register_buyer(stack.base_url()));

  fault::CheckoutLoad load(stack.base_url(), buyers, variant.variant_id, 40s);
  std::this_thread::sleep_for(1s);
  write_file(conf, "WORKERS=4\n");
  auto t0 = fault::Clock::now();
  REQUIRE(::kill(stack.master_pid(), SIGHUP) == 0);
  const bool reloaded = eventually([&] { return whole_generation(stack.status(), 2, 4); }, 10000ms);
  const int64_t reload_ms = ms_since(t0);
  std::this_thread::sleep_for(500ms);

  const pid_t old_master = stack.master_pid();
  t0 = fault::Clock::now();
  REQUIRE(::kill(old_master, SIGUSR2) == 0);
  const bool upgraded = eventually(
      [&] { return stack.master_pid() != old_master && !test_support::process_alive(old_master); },
      15000ms);
  const int64_t upgrade_ms = ms_since(t0);
  std::this_thread::sleep_for(1s);
  load.stop();

  std::cout << "[fault] reload + upgrade under checkout load: sent " << load.sent() << " ("
            << fault::describe(load.statuses()) << "), failed " << load.failures() << ", refused "
            << load.refusals() << "; reload done in " << reload_ms << " ms, upgrade in "
            << upgrade_ms << " ms" << std::endl;
  for (const std::string& e : load.errors()) std::cout << "[fault]   " << e << std::endl;

  CHECK(reloaded);
  CHECK(upgraded);
  CHECK(load.sent() > 50);
  CHECK(load.failures() == 0);
  CHECK(load.refusals() == 0);
  CHECK(stack.status()["workers"].asInt() == 4);
  const std::string db_url = test_support::e2e_database_url();
  for (const std::string& v : fault::order_violations(db_url, load.tallies())) FAIL_CHECK(v);
  common::pg::Connection db(test_support::e2e_db_options());
  test_support::require_stock_invariants(db);
}

TEST_CASE("fault: nginx reloaded under load fails no request", "[e2e][fault][nginx]") {
  OwnStack stack(Env{{"WORKERS", "3"}});
  const std::string nginx_dir = stack.state_dir() + "/nginx";
  const int nginx = read_pid(stack.state_dir() + "/run/nginx.pid");
  REQUIRE(nginx > 0);
  const char* bin = std::getenv("NGINX_BIN");
  const std::string reload = std::string(bin ? bin : "nginx") + " -p '" + nginx_dir + "/' -c '" +
                             nginx_dir + "/nginx.conf' -e '" + stack.state_dir() +
                             "/log/nginx-error.log' -s reload >/dev/null 2>&1";

  test_support::Load load(stack.base_url(), "/api/v1/categories", 4, 0, 30s);
  int reloads = 0;
  int64_t slowest_ms = 0;
  for (int i = 0; i < 2; ++i) {
    std::this_thread::sleep_for(700ms);
    const std::set<int> before = children(nginx);
    const auto t0 = fault::Clock::now();
    REQUIRE(test_support::shell(reload) == 0);
    // Done when no worker of before serves any more.
    const bool replaced = eventually(
        [&] {
          for (const int pid : children(nginx)) {
            if (before.count(pid) != 0) return false;
          }
          return true;
        },
        10000ms);
    CHECK(replaced);
    reloads += replaced ? 1 : 0;
    slowest_ms = std::max(slowest_ms, ms_since(t0));
  }
  std::this_thread::sleep_for(700ms);
  load.stop();
  load.wait();

  std::cout << "[fault] nginx reloaded under load: " << reloads << " reloads (slowest "
            << slowest_ms << " ms); sent " << load.sent() << " ("
            << fault::describe(load.statuses()) << "), failed " << load.failures() << std::endl;
  const auto errors = load.errors();
  INFO("first error: " << (errors.empty() ? "" : errors.front()));
  CHECK(read_pid(stack.state_dir() + "/run/nginx.pid") == nginx);
  CHECK(load.sent() > 200);
  CHECK(load.failures() == 0);
}
