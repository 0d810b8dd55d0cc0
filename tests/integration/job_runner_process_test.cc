// A job-runner process (workers/server/job_runner.h) forked as the master
// forks it, against real PostgreSQL: its slot shows the job it runs, and a
// SIGTERM (graceful stop, reload) lets the job in flight finish before the
// process exits 0.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "tests/support/invariants.h"
#include "workers/server/job_runner.h"
#include "workers/server/scoreboard.h"
#include "workers/services/cart_service.h"
#include "workers/services/checkout_service.h"

namespace {

namespace pg = common::pg;
namespace sb = server::scoreboard;
using test_support::run_sql;

template <class Fn>
bool eventually(Fn done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace

TEST_CASE("a job runner process on SIGTERM finishes the job in flight, then exits 0",
          "[integration][jobs]") {
  pg::Connection db = test_support::migrated_connection();
  test_support::truncate_all(db);
  const int64_t buyer = test_support::make_user(db);
  const int64_t variant =
      test_support::make_stocked_variant(db, test_support::make_product(db), {.available = 5});
  services::add_item(db, buyer, {variant, 2});
  const int64_t order = services::checkout(db, buyer, {}, std::nullopt, nullptr, {true, 8, 0})
                            .order["order_id"]
                            .asInt64();
  // No mail handler in this binary yet: keep the runner on the expiry alone.
  run_sql(db, "DELETE FROM jobs WHERE kind <> 'order.expire'");

  // Holds the order's row so that the expiry blocks in its UPDATE.
  pg::Connection blocker(test_support::migrated_options());
  run_sql(blocker,
          "BEGIN; SELECT 1 FROM orders WHERE id = " + std::to_string(order) + " FOR UPDATE");

  common::Config config = test_support::test_config();
  config.job_poll_interval_ms = 50;
  config.reconcile_interval_s = 3600;
  sb::Scoreboard board(2);
  board.prepare_slot(0, 1, 1);
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const server::WorkerSetup setup{config,        -1, parent, board.slot(0), board.header().cache,
                                    board.header()};
    ::_exit(server::run_job_runner(setup));
  }
  const bool running = eventually(
      [&] {
        const sb::SlotView v = sb::read_slot(board, 0);
        return v.state == sb::WorkerState::kBusy && v.uri.starts_with("order.expire #");
      },
      std::chrono::seconds(20));
  CHECK(running);
  CHECK(sb::read_slot(board, 0).method == "JOB");

  REQUIRE(::kill(child, SIGTERM) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  int status = 0;
  CHECK(::waitpid(child, &status, WNOHANG) == 0);  // still finishing its job
  run_sql(blocker, "COMMIT");

  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(run_sql(db, "SELECT state FROM jobs WHERE kind = 'order.expire'").str(0, 0) == "done");
  CHECK(run_sql(db, "SELECT status FROM orders WHERE id = " + std::to_string(order)).str(0, 0) ==
        "cancelled");
  const sb::SlotView after = sb::read_slot(board, 0);
  CHECK(after.state == sb::WorkerState::kDraining);
  CHECK(after.requests == 1);
  const sb::SlotMetrics& m = board.slot(0).metrics;
  CHECK(m.jobs[static_cast<size_t>(sb::job_queue_index("orders"))]
              [static_cast<size_t>(sb::JobResult::kDone)]
                  .load() == 1);
  CHECK(board.header().jobs_counted_at_ms.load() > 0);  // it published the queue's counts
  test_support::require_stock_invariants(db);
}
