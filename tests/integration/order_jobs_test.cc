// The order jobs against real PostgreSQL: the transactional outbox (an order
// exists if and only if its jobs do, whatever fails inside the checkout), the
// shipping notice, the expiry of unpaid orders through the real handler, and
// payment racing expiry (exactly one wins, again and again), and the runners'
// wake-up, sent after the order's commit and never inside it.
#include <libpq-fe.h>
#include <poll.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "tests/support/invariants.h"
#include "tests/support/parallel_calls.h"
#include "workers/jobs/job_kinds.h"
#include "workers/jobs/registry.h"
#include "workers/jobs/runner.h"
#include "workers/services/cart_service.h"
#include "workers/services/checkout_service.h"
#include "workers/services/order_service.h"

namespace {

namespace pg = common::pg;
using common::ErrorCode;
using services::OrderAction;
using services::OrderJobSettings;
using test_support::make_product;
using test_support::make_stocked_variant;
using test_support::make_user;
using test_support::migrated_connection;
using test_support::migrated_options;
using test_support::outcome_of;
using test_support::require_stock_invariants;
using test_support::run_sql;
using test_support::Stock;
using test_support::stock_of;
using test_support::truncate_all;

int64_t count(pg::Connection& db, const std::string& sql) { return run_sql(db, sql).int64(0, 0); }

int64_t checkout(pg::Connection& db, int64_t user, int64_t variant, int64_t quantity,
                 const OrderJobSettings& jobs = {}) {
  services::add_item(db, user, {variant, quantity});
  return services::checkout(db, user, {}, std::nullopt, nullptr, jobs).order["order_id"].asInt64();
}

std::string jobs_of(pg::Connection& db, int64_t order_id) {
  return run_sql(db,
                 "SELECT coalesce(string_agg(kind || '@' || queue, ',' ORDER BY kind), '') "
                 "FROM jobs WHERE payload->>'order_id' = '" +
                     std::to_string(order_id) + "'")
      .str(0, 0);
}

// The expiry handler from the real registry; the mail kinds (not this test's
// concern) succeed without doing anything.
jobs::Registry expiry_registry() {
  jobs::Registry registry = jobs::job_registry();
  const jobs::Handler nothing = [](jobs::JobContext&, const Json::Value&) { return Json::Value(); };
  registry.insert_or_assign(jobs::kOrderConfirmation, nothing);
  registry.insert_or_assign(jobs::kOrderShipped, nothing);
  return registry;
}

common::Config runner_config() {
  common::Config c = test_support::test_config();
  c.job_poll_interval_ms = 50;
  return c;
}

// A connection LISTENing on the jobs channel, as a runner does.
class Listener {
 public:
  Listener() : db_(migrated_options()) { db_.command("LISTEN jobs", pg::Effect::kRead); }

  // The payloads (queue names) notified before the sentinel payload, waiting
  // for it for up to 10 s (it is never seen: empty, and the test fails).
  std::vector<std::string> until_sentinel() {
    std::vector<std::string> queues;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      PQconsumeInput(db_.raw());
      while (PGnotify* n = PQnotifies(db_.raw())) {
        const std::string payload = n->extra;
        PQfreemem(n);
        if (payload == kSentinel) return queues;
        queues.push_back(payload);
      }
      pollfd p{PQsocket(db_.raw()), POLLIN, 0};
      ::poll(&p, 1, 100);
    }
    FAIL("the sentinel notification did not arrive within 10 s");
    return queues;
  }

  static constexpr const char* kSentinel = "sentinel";

 private:
  pg::Connection db_;
};

// What `db` notified since the last call. PostgreSQL delivers the
// notifications of committed transactions in commit order, so once a sentinel
// notified on `db` after them arrives, every earlier one has.
std::vector<std::string> notified(Listener& listener, pg::Connection& db) {
  run_sql(db, std::string("NOTIFY jobs, '") + Listener::kSentinel + "'");
  return listener.until_sentinel();
}

jobs::RunnerOptions runner_options() {
  jobs::RunnerOptions o;
  o.owner = "order-jobs-test";
  o.seed = 1;
  return o;
}

}  // namespace

TEST_CASE("checkout enqueues the confirmation and the expiry in its transaction, ship the notice",
          "[integration][jobs][orders]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t buyer = make_user(db);
  const int64_t admin = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db), {.available = 5});
  const int64_t order = checkout(db, buyer, variant, 2, {true, 5, 1800});
  CHECK(jobs_of(db, order) == "order.confirmation@email,order.expire@orders");
  const auto expire =
      run_sql(db,
              "SELECT j.max_attempts, j.dedupe_key, "
              "round(extract(epoch FROM j.run_at - o.created_at)) "
              "FROM jobs j JOIN orders o ON o.id = (j.payload->>'order_id')::bigint "
              "WHERE j.kind = 'order.expire'");
  CHECK(expire.int64(0, 0) == 5);
  CHECK(expire.str(0, 1) == "order.expire:" + std::to_string(order));
  CHECK(expire.str(0, 2) == "1800");  // run_at = placed + ORDER_PAYMENT_TTL_S

  services::apply_action(db, {OrderAction::kPay, order, buyer, "ref-1"}, nullptr);
  CHECK(count(db, "SELECT count(*) FROM jobs") == 2);  // paying enqueues nothing
  services::apply_action(db, {OrderAction::kShip, order, admin, std::nullopt}, nullptr);
  CHECK(jobs_of(db, order) == "order.confirmation@email,order.expire@orders,order.shipped@email");
}

TEST_CASE("checkout and ship wake the email runners once they committed, never from inside",
          "[integration][jobs][orders]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t buyer = make_user(db);
  const int64_t admin = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db), {.available = 5});
  Listener listener;
  CHECK(notified(listener, db).empty());

  // The order's jobs alone notify nobody: inside the transaction a NOTIFY
  // would serialise every checkout's commit (repo::wake_job_runners).
  run_sql(db, "BEGIN");
  services::enqueue_order_placed(db, 999999999, {true, 5, 1800});
  run_sql(db, "COMMIT");
  CHECK(notified(listener, db).empty());

  const int64_t order = checkout(db, buyer, variant, 1, {true, 5, 1800});
  CHECK(notified(listener, db) == std::vector<std::string>{"email"});
  services::apply_action(db, {OrderAction::kPay, order, buyer, "ref-1"}, nullptr);
  CHECK(notified(listener, db).empty());  // paying enqueues nothing
  services::apply_action(db, {OrderAction::kShip, order, admin, std::nullopt}, nullptr,
                         {true, 5, 1800});
  CHECK(notified(listener, db) == std::vector<std::string>{"email"});

  checkout(db, buyer, variant, 1, {false, 5, 1800});  // JOBS_OUTBOX=0: no job, no wake-up
  CHECK(notified(listener, db).empty());
}

TEST_CASE("a checkout that fails after the order insert leaves neither order nor job",
          "[integration][jobs][orders]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t buyer = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db), {.available = 5});
  run_sql(db, R"SQL(
CREATE OR REPLACE FUNCTION test_fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'forced failure on %', TG_TABLE_NAME USING ERRCODE = 'P0001'; END $$;
DROP TRIGGER IF EXISTS test_fail_items ON order_items;
DROP TRIGGER IF EXISTS test_fail_expiry ON jobs;
)SQL");

  SECTION("the items' insert fails (after the order's)") {
    run_sql(db,
            "CREATE TRIGGER test_fail_items BEFORE INSERT ON order_items "
            "FOR EACH ROW EXECUTE FUNCTION test_fail_insert()");
  }
  SECTION("the expiry job's insert fails (after the order, its items and the confirmation job)") {
    run_sql(db,
            "CREATE TRIGGER test_fail_expiry BEFORE INSERT ON jobs FOR EACH ROW "
            "WHEN (NEW.kind = 'order.expire') EXECUTE FUNCTION test_fail_insert()");
  }
  const auto failed = outcome_of([&] { checkout(db, buyer, variant, 1); });
  CHECK_FALSE(failed.ok);
  CHECK(count(db, "SELECT count(*) FROM orders") == 0);
  CHECK(count(db, "SELECT count(*) FROM jobs") == 0);
  CHECK(stock_of(db, variant) == Stock{5, 0, 0});

  run_sql(db,
          "DROP TRIGGER IF EXISTS test_fail_items ON order_items; "
          "DROP TRIGGER IF EXISTS test_fail_expiry ON jobs");
  const int64_t order = checkout(db, buyer, variant, 1);
  CHECK(jobs_of(db, order) == "order.confirmation@email,order.expire@orders");
  CHECK(count(db, "SELECT count(*) FROM jobs") == 2);
}

TEST_CASE("JOBS_OUTBOX=0 (the benchmark switch) enqueues nothing", "[integration][jobs][orders]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t buyer = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db), {.available = 5});
  checkout(db, buyer, variant, 1, {false, 8, 1800});
  CHECK(count(db, "SELECT count(*) FROM orders") == 1);
  CHECK(count(db, "SELECT count(*) FROM jobs") == 0);
}

TEST_CASE("an unpaid order is cancelled by the system when its payment time is up",
          "[integration][jobs][orders]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t buyer = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db), {.available = 5});
  const int64_t unpaid = checkout(db, buyer, variant, 2, {true, 8, 1});
  const int64_t paid = checkout(db, buyer, variant, 1, {true, 8, 1});
  services::apply_action(db, {OrderAction::kPay, paid, buyer, "ref-1"}, nullptr);
  CHECK(stock_of(db, variant) == Stock{2, 3, 0});

  const common::Config config = runner_config();
  jobs::Runner runner(db, config, expiry_registry(), runner_options());
  runner.run_due([] { return false; });  // the confirmations; the expiries are not due yet
  CHECK(count(db, "SELECT count(*) FROM jobs WHERE kind = 'order.expire' AND state = 'queued'") ==
        2);
  run_sql(db, "UPDATE jobs SET run_at = now() WHERE kind = 'order.expire'");  // 1 s later
  CHECK(runner.run_due([] { return false; }) == 2);

  const Json::Value order = services::get_order(db, buyer, unpaid);
  CHECK(order["status"] == "cancelled");
  const Json::Value& last = order["events"][order["events"].size() - 1];
  CHECK(last["from_status"] == "created");
  CHECK(last["to_status"] == "cancelled");
  CHECK(last["actor"] == "system");
  CHECK(last["reason"] == "payment_timeout");
  CHECK(services::get_order(db, buyer, paid)["status"] == "paid");
  CHECK(stock_of(db, variant) == Stock{4, 1, 0});  // the unpaid order's 2 units are back

  const auto results =
      run_sql(db, "SELECT result->>'outcome' FROM jobs WHERE kind = 'order.expire' ORDER BY id");
  CHECK(results.str(0, 0) == "expired");
  CHECK(results.str(1, 0) == "settled");
  CHECK(count(db, "SELECT count(*) FROM jobs WHERE state <> 'done'") == 0);
  require_stock_invariants(db);

  // Running the expiry again changes nothing (the handler is idempotent).
  CHECK(services::expire_unpaid_order(db, unpaid, nullptr) == services::ExpiryOutcome::kSettled);
  CHECK(stock_of(db, variant) == Stock{4, 1, 0});
  CHECK(services::expire_unpaid_order(db, 999999, nullptr) ==
        services::ExpiryOutcome::kNoSuchOrder);
}

TEST_CASE("paying and expiring the same order race safely: exactly one wins, every time",
          "[integration][jobs][orders]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t buyer = make_user(db);
  const int64_t variant = make_stocked_variant(db, make_product(db), {.available = 1000});
  auto connections = test_support::thread_connections(2);
  int paid_wins = 0, expiry_wins = 0;
  for (int round = 0; round < 50; ++round) {
    const int64_t order = checkout(db, buyer, variant, 2, {true, 8, 0});
    services::ExpiryOutcome expiry{};
    const auto outcomes = test_support::run_concurrently(2, [&](int i) {
      pg::Connection& own = *connections[static_cast<size_t>(i)];
      if (i == 0) {
        services::apply_action(own, {OrderAction::kPay, order, buyer, "ref"}, nullptr);
      } else {
        expiry = services::expire_unpaid_order(own, order, nullptr);
      }
    });
    const std::string status =
        run_sql(db, "SELECT status FROM orders WHERE id = " + std::to_string(order)).str(0, 0);
    INFO("round " << round << ": " << status);
    REQUIRE(outcomes[1].ok);
    if (outcomes[0].ok) {
      ++paid_wins;
      CHECK(status == "paid");
      CHECK(expiry == services::ExpiryOutcome::kSettled);
    } else {
      ++expiry_wins;
      CHECK(outcomes[0].code == ErrorCode::kInvalidState);
      CHECK(status == "cancelled");
      CHECK(expiry == services::ExpiryOutcome::kExpired);
    }
    CHECK(count(db, "SELECT count(*) FROM order_events WHERE order_id = " +
                        std::to_string(order)) == 2);
  }
  CHECK(paid_wins + expiry_wins == 50);
  require_stock_invariants(db);
}
