// The job runner against real PostgreSQL, with test handlers injected through
// its registry: every job runs once however many runners claim at once;
// failures are retried with backoff and last_error, then buried; an admin
// retry brings a dead job back; unknown kinds die at once; a runner killed
// mid-job (SIGKILL) loses nothing: the job runs again once its lease expires;
// the wake-up after a new job wakes a waiting runner through LISTEN/NOTIFY.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "common/json.h"
#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "tests/support/parallel_calls.h"
#include "workers/jobs/job_kinds.h"
#include "workers/jobs/registry.h"
#include "workers/jobs/runner.h"
#include "workers/repositories/job_repository.h"
#include "workers/services/job_admin_service.h"

namespace {

namespace pg = common::pg;
using test_support::migrated_connection;
using test_support::migrated_options;
using test_support::run_sql;
using test_support::truncate_all;

// Test kinds live in the orders queue (the table allows three queues).
constexpr const char* kTestQueue = jobs::kQueueOrders;

common::Config runner_config() {
  common::Config c = test_support::test_config();
  c.job_lease_s = 30;
  c.job_poll_interval_ms = 50;
  c.job_backoff_base_ms = 1;
  c.job_backoff_cap_s = 1;
  c.reconcile_interval_s = 3600;
  return c;
}

int64_t enqueue(pg::Connection& db, const std::string& kind, int max_attempts = 8,
                Json::Value payload = Json::Value(Json::objectValue)) {
  repo::NewJob job;
  job.queue = kTestQueue;
  job.kind = kind;
  job.payload = std::move(payload);
  job.max_attempts = max_attempts;
  return repo::enqueue_job(db, job).value();
}

std::string job_state(pg::Connection& db, int64_t id) {
  return run_sql(db, "SELECT state FROM jobs WHERE id = " + std::to_string(id)).str(0, 0);
}

// Makes every queued job due now (skips the backoff in tests).
void make_due(pg::Connection& db) {
  run_sql(db, "UPDATE jobs SET run_at = now() WHERE state = 'queued'");
}

// The largest number of rows any node of an EXPLAIN (ANALYZE, FORMAT JSON)
// plan produced (actual rows x loops).
double max_rows(const Json::Value& plan) {
  double most = plan["Actual Rows"].asDouble() * std::max(1.0, plan["Actual Loops"].asDouble());
  for (const Json::Value& child : plan["Plans"]) most = std::max(most, max_rows(child));
  return most;
}

jobs::RunnerOptions options(const std::string& owner) {
  jobs::RunnerOptions o;
  o.owner = owner;
  o.seed = 7;
  return o;
}

}  // namespace

TEST_CASE("N runners claiming M jobs at once run each job exactly once", "[integration][jobs]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  constexpr int kRunners = 4;
  constexpr int kJobs = 200;
  for (int i = 0; i < kJobs; ++i) {
    Json::Value payload(Json::objectValue);
    payload["n"] = i;
    enqueue(db, "test.count", 8, payload);
  }
  std::mutex mutex;
  std::multiset<int> runs;
  jobs::Registry registry{{"test.count", [&](jobs::JobContext&, const Json::Value& payload) {
                             std::lock_guard lock(mutex);
                             runs.insert(payload["n"].asInt());
                             return Json::Value();
                           }}};
  const common::Config config = runner_config();
  auto connections = test_support::thread_connections(kRunners);
  std::atomic<int> ran{0};
  const auto outcomes = test_support::run_concurrently(kRunners, [&](int i) {
    jobs::Runner runner(*connections[static_cast<size_t>(i)], config, registry,
                        options("runner-" + std::to_string(i)));
    ran += runner.run_due([] { return false; });
  });
  for (const auto& o : outcomes) CHECK(o.ok);
  CHECK(ran == kJobs);
  REQUIRE(runs.size() == kJobs);
  for (int i = 0; i < kJobs; ++i) CHECK(runs.count(i) == 1);
  CHECK(run_sql(db, "SELECT count(*) FROM jobs WHERE state = 'done'").int64(0, 0) == kJobs);
}

TEST_CASE(
    "a failing job is retried with backoff and last_error, then dead, then retried by an "
    "admin",
    "[integration][jobs]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  common::Config config = runner_config();
  config.job_backoff_base_ms = 10000;  // first retry 5..10 s later
  config.job_backoff_cap_s = 60;
  int calls = 0;
  bool healthy = false;
  jobs::Registry registry{{"test.flaky", [&](jobs::JobContext& ctx, const Json::Value&) {
                             ++calls;
                             if (!healthy) {
                               throw jobs::JobRetry("smtp down (attempt " +
                                                    std::to_string(ctx.attempt) + ")");
                             }
                             Json::Value result(Json::objectValue);
                             result["sent"] = true;
                             return result;
                           }}};
  jobs::Runner runner(db, config, registry, options("runner-a"));
  const int64_t id = enqueue(db, "test.flaky", 3);

  REQUIRE(runner.run_one() == jobs::RunResult::kRetry);
  auto row = run_sql(db,
                     "SELECT state, attempts, last_error, run_at > now() + interval '4 seconds' "
                     "FROM jobs WHERE id = " +
                         std::to_string(id));
  CHECK(row.str(0, 0) == "queued");
  CHECK(row.int64(0, 1) == 1);
  CHECK(row.str(0, 2) == "smtp down (attempt 1)");
  CHECK(row.boolean(0, 3));  // pushed into the future by the backoff

  make_due(db);
  REQUIRE(runner.run_one() == jobs::RunResult::kRetry);
  make_due(db);
  REQUIRE(runner.run_one() == jobs::RunResult::kDead);
  CHECK(job_state(db, id) == "dead");
  make_due(db);
  CHECK_FALSE(runner.run_one());  // a dead job is not claimed
  CHECK(calls == 3);

  const Json::Value dead_page = services::list_jobs(db, {std::nullopt, "dead", std::nullopt, 20});
  REQUIRE(dead_page["items"].size() == 1);
  CHECK(dead_page["items"][0]["id"].asInt64() == id);
  CHECK(dead_page["items"][0]["last_error"] == "smtp down (attempt 3)");

  const Json::Value retried = services::retry_job(db, id);
  CHECK(retried["state"] == "queued");
  CHECK(retried["attempts"] == 0);
  const auto again = test_support::outcome_of([&] { services::retry_job(db, id); });
  CHECK(again.code == common::ErrorCode::kInvalidState);

  healthy = true;
  REQUIRE(runner.run_one() == jobs::RunResult::kDone);
  const Json::Value done = services::get_job(db, id);
  CHECK(done["state"] == "done");
  CHECK(done["attempts"] == 1);
  CHECK(done["result"]["sent"] == true);
  CHECK(calls == 4);
}

TEST_CASE("JobFailed and an unknown kind bury the job at once", "[integration][jobs]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  jobs::Registry registry{{"test.broken", [](jobs::JobContext&, const Json::Value&) -> Json::Value {
                             throw jobs::JobFailed("payload names no order");
                           }}};
  jobs::Runner runner(db, runner_config(), registry, options("runner-a"));
  const int64_t broken = enqueue(db, "test.broken");
  const int64_t unknown = enqueue(db, "test.nobody-knows");
  CHECK(runner.run_one() == jobs::RunResult::kDead);
  CHECK(runner.run_one() == jobs::RunResult::kDead);
  CHECK(job_state(db, broken) == "dead");
  CHECK(job_state(db, unknown) == "dead");
  const Json::Value job = services::get_job(db, unknown);
  CHECK(job["last_error"].asString().find("no handler for kind 'test.nobody-knows'") !=
        std::string::npos);
  CHECK(job["attempts"] == 1);
}

TEST_CASE("a runner SIGKILLed mid-job loses nothing: the job runs again after its lease",
          "[integration][jobs]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  run_sql(db, "CREATE TABLE IF NOT EXISTS test_job_runs (job_id bigint, pid int)");
  run_sql(db, "TRUNCATE test_job_runs");
  const int64_t id = enqueue(db, "test.slow");

  common::Config config = runner_config();
  config.job_lease_s = 2;
  // Records the run, then blocks (the first time) until killed.
  const auto handler = [](jobs::JobContext& ctx, const Json::Value&) {
    run_sql(ctx.db, "INSERT INTO test_job_runs VALUES (" + std::to_string(ctx.job_id) + ", " +
                        std::to_string(::getpid()) + ")");
    if (ctx.attempt == 1) ::pause();
    return Json::Value();
  };

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Its own connection, opened after fork().
    pg::Connection own(migrated_options());
    jobs::Runner runner(own, config, {{"test.slow", handler}}, options("doomed"));
    static_cast<void>(runner.run_one());
    ::_exit(0);
  }
  // Wait until the child is inside the handler.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (run_sql(db, "SELECT count(*) FROM test_job_runs").int64(0, 0) == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  CHECK(job_state(db, id) == "running");

  jobs::Runner survivor(db, config, {{"test.slow", handler}}, options("survivor"));
  CHECK_FALSE(survivor.run_one());  // the lease still holds
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  REQUIRE(survivor.run_one() == jobs::RunResult::kDone);
  CHECK(job_state(db, id) == "done");
  CHECK(run_sql(db, "SELECT count(*) FROM test_job_runs").int64(0, 0) == 2);
  CHECK(run_sql(db, "SELECT attempts FROM jobs WHERE id = " + std::to_string(id)).int64(0, 0) == 2);
  run_sql(db, "DROP TABLE test_job_runs");
}

TEST_CASE("a job taken over after its last attempt goes dead without running",
          "[integration][jobs]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t id = enqueue(db, "test.count", 1);
  // As a runner that died during the only allowed attempt leaves it.
  run_sql(db,
          "UPDATE jobs SET state = 'running', attempts = 1, lease_owner = 'gone', "
          "lease_expires_at = now() - interval '1 second' WHERE id = " +
              std::to_string(id));
  int calls = 0;
  jobs::Runner runner(db, runner_config(),
                      {{"test.count",
                        [&](jobs::JobContext&, const Json::Value&) {
                          ++calls;
                          return Json::Value();
                        }}},
                      options("runner-a"));
  CHECK(runner.run_one() == jobs::RunResult::kDead);
  CHECK(calls == 0);
  CHECK(services::get_job(db, id)["last_error"].asString().find("lease expired") !=
        std::string::npos);
}

TEST_CASE("a waiting runner wakes at the wake-up after a new job, not at its poll interval",
          "[integration][jobs]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  common::Config config = runner_config();
  config.job_poll_interval_ms = 20000;
  pg::Connection own(migrated_options());
  jobs::Runner runner(own, config, {}, options("listener"));
  const auto started = std::chrono::steady_clock::now();
  std::thread producer([&db] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    enqueue(db, "test.count");
    repo::wake_job_runners(db, kTestQueue);
  });
  runner.wait_for_work();
  const auto waited = std::chrono::steady_clock::now() - started;
  producer.join();
  CHECK(waited >= std::chrono::milliseconds(250));
  CHECK(waited < std::chrono::seconds(10));
}

TEST_CASE("a claim reads a few rows however many jobs are due", "[integration][jobs]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  // A backlog (say, mail while the SMTP server was down) and expired leases.
  run_sql(db,
          "INSERT INTO jobs (queue, kind, max_attempts, run_at) "
          "SELECT 'orders', 'test.count', 8, now() - interval '1 minute' "
          "FROM generate_series(1, 5000)");
  run_sql(db,
          "INSERT INTO jobs (queue, kind, max_attempts, run_at, state, lease_owner, "
          "lease_expires_at) SELECT 'orders', 'test.count', 8, now() - interval '2 minutes', "
          "'running', 'gone', now() - interval '1 minute' FROM generate_series(1, 500)");
  run_sql(db, "ANALYZE jobs");

  run_sql(db, "BEGIN");
  const pg::Statement* claim = pg::Statement::find("jobs.claim");
  REQUIRE(claim != nullptr);
  run_sql(db, std::string("PREPARE claim_plan(text, integer) AS ") + claim->sql());
  const Json::Value explained = common::json::parse_trusted(
      run_sql(db, "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE claim_plan('plan-test', 30)").str(0, 0));
  const int64_t claimed =
      run_sql(db, "SELECT count(*) FROM jobs WHERE lease_owner = 'plan-test'").int64(0, 0);
  run_sql(db, "ROLLBACK");
  run_sql(db, "DEALLOCATE claim_plan");

  CHECK(claimed == 1);
  // Not every due job, collected and sorted: the head of each partial index.
  CHECK(max_rows(explained[0]["Plan"]) <= 10);
}

TEST_CASE("periodic jobs are enqueued once per period however many runners try",
          "[integration][jobs]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  auto connections = test_support::thread_connections(3);
  const common::Config config = runner_config();
  const auto outcomes = test_support::run_concurrently(3, [&](int i) {
    jobs::Runner runner(*connections[static_cast<size_t>(i)], config, {},
                        options("periodic-" + std::to_string(i)));
    runner.enqueue_periodic();
    runner.enqueue_periodic();
  });
  for (const auto& o : outcomes) CHECK(o.ok);
  const auto r = run_sql(db,
                         "SELECT string_agg(kind || '@' || queue, ',' ORDER BY kind), "
                         "bool_and(dedupe_key = kind || ':' || (payload->>'period')) FROM jobs");
  CHECK(r.str(0, 0) == "maintenance.cleanup@orders,stock.reconcile@inventory");
  CHECK(r.boolean(0, 1));
}

TEST_CASE("the clean-up job deletes expired keys, dead tokens, old attempts and old done jobs only",
          "[integration][jobs]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t user = test_support::make_user(db);
  const std::string u = std::to_string(user);
  run_sql(db, "INSERT INTO idempotency_keys (user_id, key, request_hash, expires_at) VALUES (" + u +
                  ", 'old', 'h', now() - interval '1 hour'), (" + u +
                  ", 'fresh', 'h', now() + interval '1 hour')");
  run_sql(db,
          "INSERT INTO login_attempts (email, client_addr, attempted_at) VALUES "
          "('a@example.test', '127.0.0.1', now() - interval '2 days'), "
          "('a@example.test', '127.0.0.1', now())");
  // Done 8 days ago (past JOB_RETENTION_S), done just now, and dead long ago.
  run_sql(db,
          "INSERT INTO jobs (queue, kind, state, max_attempts, updated_at, dedupe_key) VALUES "
          "('orders', 'test.old', 'done', 8, now() - interval '8 days', 'old-done'), "
          "('orders', 'test.new', 'done', 8, now(), 'new-done'), "
          "('orders', 'test.dead', 'dead', 8, now() - interval '30 days', 'old-dead')");
  jobs::Runner runner(db, runner_config(), jobs::job_registry(), options("cleaner"));
  repo::NewJob job;
  job.queue = jobs::kQueueOrders;
  job.kind = jobs::kMaintenanceCleanup;
  REQUIRE(repo::enqueue_job(db, job));
  REQUIRE(runner.run_one() == jobs::RunResult::kDone);
  const Json::Value result =
      services::list_jobs(db, {std::nullopt, "done", std::nullopt, 1})["items"][0];
  const Json::Value detail = services::get_job(db, result["id"].asInt64());
  CHECK(detail["result"]["idempotency_keys"] == 1);
  CHECK(detail["result"]["login_attempts"] == 1);
  CHECK(run_sql(db, "SELECT string_agg(key, ',') FROM idempotency_keys").str(0, 0) == "fresh");
  CHECK(run_sql(db, "SELECT count(*) FROM login_attempts").int64(0, 0) == 1);
  CHECK(detail["result"]["done_jobs"] == 1);
  CHECK(run_sql(db,
                "SELECT string_agg(dedupe_key, ',' ORDER BY dedupe_key) FROM jobs "
                "WHERE dedupe_key IS NOT NULL")
            .str(0, 0) == "new-done,old-dead");
}
