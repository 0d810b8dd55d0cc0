// Order mail through the job runner (workers/jobs/runner.h with the binary's
// own registry) against real PostgreSQL and a real SMTP server: a checkout's
// confirmation is retried with backoff while the server is down and sent once
// it is back, exactly once; a runner killed while the server had not yet
// accepted the message loses nothing and sends nothing twice.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "tests/support/invariants.h"
#include "tests/support/smtp_server.h"
#include "workers/jobs/registry.h"
#include "workers/jobs/runner.h"
#include "workers/services/cart_service.h"
#include "workers/services/checkout_service.h"

namespace {

namespace pg = common::pg;
using namespace std::chrono_literals;
using test_support::migrated_connection;
using test_support::run_sql;
using test_support::SmtpServer;
using test_support::truncate_all;

common::Config runner_config(const std::string& smtp_url) {
  common::Config c = test_support::test_config();
  c.smtp_url = smtp_url;
  c.mail_domain = "shop.test";
  c.smtp_connect_timeout_ms = 1000;
  c.smtp_timeout_ms = 2000;
  c.job_lease_s = 4;  // longer than a whole send (3 s), as the settings require
  c.job_poll_interval_ms = 50;
  c.job_backoff_base_ms = 200;
  c.job_backoff_cap_s = 1;
  return c;
}

jobs::RunnerOptions options(const std::string& owner) {
  jobs::RunnerOptions o;
  o.owner = owner;
  o.seed = 11;
  return o;
}

// A checkout of one mug by a new user; its transaction enqueued the order's
// confirmation (and its expiry, not due for ORDER_PAYMENT_TTL_S).
int64_t place_order(pg::Connection& db) {
  const int64_t user = test_support::make_user(db, {.email = "buyer@example.test"});
  const int64_t mug =
      test_support::make_stocked_variant(db, test_support::make_product(db, {.title = "Blue Mug"}),
                                         {.price_cents = 1299, .available = 10});
  services::add_item(db, user, {mug, 2});
  return services::checkout(db, user, {}, std::nullopt, nullptr).order["order_id"].asInt64();
}

// The confirmation job of `order`: state, attempts, last_error, run_at > now().
struct JobRow {
  std::string state;
  int64_t attempts = 0;
  std::string last_error;
  bool delayed = false;
};

JobRow confirmation_job(pg::Connection& db, int64_t order) {
  const pg::Result r =
      run_sql(db,
              "SELECT state, attempts, coalesce(last_error, ''), run_at > now() FROM jobs "
              "WHERE kind = 'order.confirmation' AND payload->>'order_id' = '" +
                  std::to_string(order) + "'");
  REQUIRE(r.rows() == 1);
  return {r.str(0, 0), r.int64(0, 1), r.str(0, 2), r.str(0, 3) == "t"};
}

// Runs due jobs until the confirmation of `order` is done or `timeout` passes.
void run_until_sent(jobs::Runner& runner, pg::Connection& db, int64_t order,
                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (confirmation_job(db, order).state != "done" &&
         std::chrono::steady_clock::now() < deadline) {
    if (!runner.run_one()) std::this_thread::sleep_for(50ms);
  }
}

}  // namespace

TEST_CASE("an order confirmation is retried while SMTP is down and sent once when it is back",
          "[integration][jobs][mail]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  SmtpServer smtp;
  const common::Config config = runner_config(smtp.url());
  const int64_t order = place_order(db);
  jobs::Runner runner(db, config, jobs::job_registry(), options("runner-a"));

  smtp.stop();
  REQUIRE(runner.run_one() == jobs::RunResult::kRetry);
  JobRow job = confirmation_job(db, order);
  CHECK(job.state == "queued");
  CHECK(job.attempts == 1);
  CHECK(job.delayed);  // backoff: not due at once
  CHECK(job.last_error.find("SMTP") != std::string::npos);
  CHECK(smtp.messages().empty());

  smtp.start();
  run_until_sent(runner, db, order, 10s);
  job = confirmation_job(db, order);
  CHECK(job.state == "done");
  CHECK(job.attempts == 2);
  const auto messages = smtp.wait_for_messages(1, 2s);
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].header("Message-ID") ==
        "<order-" + std::to_string(order) + "-confirmation@shop.test>");

  // Nothing is left to send: running again stores nothing more.
  run_sql(db, "UPDATE jobs SET run_at = now() WHERE state = 'queued' AND kind <> 'order.expire'");
  while (runner.run_one()) {
  }
  std::this_thread::sleep_for(300ms);
  CHECK(smtp.messages().size() == 1);
}

TEST_CASE("a runner killed before the SMTP server accepted: the mail is sent once, after the lease",
          "[integration][jobs][mail]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  SmtpServer smtp;
  const common::Config config = runner_config(smtp.url());
  const int64_t order = place_order(db);

  // The server takes the connection (the kernel accepts it) but says nothing:
  // the runner is inside the send, before any acceptance, when it is killed.
  smtp.pause();
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    pg::Connection own(test_support::migrated_options());
    jobs::Runner doomed(own, config, jobs::job_registry(), options("runner-doomed"));
    static_cast<void>(doomed.run_one());
    ::_exit(0);
  }
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (confirmation_job(db, order).state != "running" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE(confirmation_job(db, order).state == "running");
  std::this_thread::sleep_for(300ms);  // connected, waiting for the greeting
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  smtp.resume();

  jobs::Runner survivor(db, config, jobs::job_registry(), options("runner-survivor"));
  CHECK_FALSE(survivor.run_one());  // the dead runner's lease still holds
  run_until_sent(survivor, db, order, 15s);
  const JobRow job = confirmation_job(db, order);
  CHECK(job.state == "done");
  CHECK(job.attempts == 2);
  std::this_thread::sleep_for(500ms);  // anything else the server would store
  const auto messages = smtp.messages();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].header("Message-ID") ==
        "<order-" + std::to_string(order) + "-confirmation@shop.test>");
}
