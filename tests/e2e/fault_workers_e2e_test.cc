// Fault suite: workers killed with SIGKILL in the middle of checkouts, on a
// pool of its own. Requests a killed worker was serving fail (502) and the
// buyers retry their checkout with the same Idempotency-Key; afterwards the
// stock identities hold, no order lacks its items and no acknowledged cart
// line is lost.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "common/pg.h"
#include "tests/e2e/fault_load.h"
#include "tests/support/api_session.h"
#include "tests/support/invariants.h"
#include "tests/support/pool_stack.h"

using namespace std::chrono_literals;
using test_support::OwnStack;
using Env = std::map<std::string, std::string>;

namespace {

// A worker killed within 2 s of its start counts as a start-up crash and
// delays the next spawn; the test kills only workers older than this.
constexpr auto kPastStartup = 2500ms;

}  // namespace

TEST_CASE(
    "fault: workers SIGKILLed during checkout load lose no order item, cart line or unit of stock",
    "[e2e][fault][pool]") {
  OwnStack stack(Env{{"WORKERS", "4"}});
  const test_support::Session admin = test_support::admin_session();
  const test_support::CreatedVariant variant = test_support::api_make_variant(admin, 100000, 250);
  std::vector<fault::Buyer> buyers;
  for (int i = 0; i < 6; ++i) buyers.push_back(fault::register_buyer(stack.base_url()));

  fault::CheckoutLoad load(stack.base_url(), buyers, variant.variant_id, 30s);
  std::map<int, fault::Clock::time_point> first_seen;
  std::mt19937 random(12345);
  int kills = 0;
  fault::Clock::time_point last_kill{};
  const auto end = fault::Clock::now() + 5s;
  while (fault::Clock::now() < end) {
    std::this_thread::sleep_for(300ms);
    const auto now = fault::Clock::now();
    std::vector<int> busy, idle;
    const Json::Value status = stack.status();  // kept: the loop reads into it
    for (const Json::Value& p : status["processes"]) {
      const int pid = p["pid"].asInt();
      const auto seen = first_seen.emplace(pid, now).first->second;
      if (now - seen < kPastStartup) continue;
      (p["state"] == "busy" ? busy : idle).push_back(pid);
    }
    const std::vector<int>& pick = busy.empty() ? idle : busy;  // mid-request when possible
    if (pick.empty()) continue;
    if (::kill(pick[random() % pick.size()], SIGKILL) == 0) {
      ++kills;
      last_kill = fault::Clock::now();
    }
  }
  load.stop();
  Json::Value s;
  const bool pool_back = test_support::eventually(
      [&] {
        s = stack.status();
        return s["workers"].asInt() == 4 && s["starting"].asInt() == 0;
      },
      5000ms);
  const auto pool_back_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(fault::Clock::now() - last_kill);

  int retries = 0, recovered = 0, orders = 0;
  for (const fault::BuyerTally& t : load.tallies()) {
    retries += t.checkout_retries;
    recovered += t.recovered;
    orders += static_cast<int>(t.orders_acked.size());
  }
  std::cout << "[fault] workers SIGKILLed under checkout load: " << kills << " kills; sent "
            << load.sent() << " (" << fault::describe(load.statuses()) << "), failed "
            << load.failures() << ", refused " << load.refusals() << "; " << orders << " orders, "
            << retries << " checkout retries, " << recovered
            << " checkouts recovered by a retry; pool whole again " << pool_back_ms.count()
            << " ms after the last kill" << std::endl;

  CHECK(kills >= 3);
  CHECK(pool_back);
  CHECK(load.sent() > 50);
  CHECK(load.statuses()[500] == 0);
  const std::string db_url = test_support::e2e_database_url();
  for (const std::string& v : fault::order_violations(db_url, load.tallies())) {
    FAIL_CHECK(v);
  }
  common::pg::Connection db(test_support::e2e_db_options());
  test_support::require_stock_invariants(db);
}
