// common::pg against a real PostgreSQL: SQLSTATE classification, the API
// mapping, transactions, reconnects and timeouts.
#include "common/pg.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "workers/server/worker.h"

namespace {

namespace pg = common::pg;
using common::ErrorCode;
using test_support::make_category;
using test_support::make_product;
using test_support::make_variant;
using test_support::migrated_connection;
using test_support::run_sql;
using test_support::truncate_all;

const pg::Statement kBackendPid{"test.pg.backend_pid", pg::Role::kTest, pg::Effect::kRead,
                                "SELECT pg_backend_pid()"};
const pg::Statement kTerminate{"test.pg.terminate", pg::Role::kTest, pg::Effect::kWrite,
                               "SELECT pg_terminate_backend($1::integer, 5000)"};
const pg::Statement kSleep{"test.pg.sleep", pg::Role::kTest, pg::Effect::kRead,
                           "SELECT pg_sleep($1::float8)"};
const pg::Statement kCategoryCount{"test.pg.category_count", pg::Role::kTest, pg::Effect::kRead,
                                   "SELECT count(*) FROM categories WHERE name = $1"};
const pg::Statement kFailFirst{"test.pg.fail_first", pg::Role::kTest, pg::Effect::kWrite,
                               "SELECT test_fail_first($1::regclass, $2::bigint, $3)"};
// Statements that are still running when the test terminates their backend.
const pg::Statement kSlowInsert{"test.pg.slow_insert", pg::Role::kTest, pg::Effect::kWrite,
                                "INSERT INTO categories (name) SELECT $1 FROM pg_sleep(1)"};
const pg::Statement kSlowBackendPid{"test.pg.slow_backend_pid", pg::Role::kTest, pg::Effect::kRead,
                                    "SELECT pg_backend_pid() FROM pg_sleep(1)"};
const pg::Statement kSelectOne{"test.pg.select_one", pg::Role::kTest, pg::Effect::kRead,
                               "SELECT 1"};

// The DbError `fn` throws; FAILs when it throws none.
template <class Fn>
pg::DbError db_error_of(Fn&& fn) {
  try {
    fn();
  } catch (const pg::DbError& e) {
    return e;
  }
  FAIL("expected a pg::DbError");
  throw std::logic_error("unreachable");
}

int64_t category_count(pg::Connection& db, const std::string& name) {
  return db.exec(kCategoryCount, {name}).int64(0, 0);
}

int64_t backend_pid(pg::Connection& db) { return db.exec(kBackendPid, {}).int64(0, 0); }

void terminate_backend(int64_t pid) {
  pg::Connection other = migrated_connection();
  REQUIRE(other.exec(kTerminate, {std::to_string(pid)}).boolean(0, 0));
}

// Terminates backend `pid` from another thread after `delay`, while this one
// waits in a statement; join() before looking at the result.
std::thread terminate_later(int64_t pid, std::chrono::milliseconds delay) {
  return std::thread([pid, delay] {
    std::this_thread::sleep_for(delay);
    terminate_backend(pid);
  });
}

// A fresh counter for test_fail_first.
void reset_counter(pg::Connection& db) {
  run_sql(db, "DROP SEQUENCE IF EXISTS pg_test_calls; CREATE SEQUENCE pg_test_calls");
}

}  // namespace

TEST_CASE("errors the server raises are classified by SQLSTATE and mapped for the API",
          "[integration][pg]") {
  struct Case {
    const char* sqlstate;
    pg::DbErrorKind kind;
    ErrorCode code;
  };
  const Case cases[] = {
      {"23505", pg::DbErrorKind::kUniqueViolation, ErrorCode::kInternal},
      {"23503", pg::DbErrorKind::kForeignKeyViolation, ErrorCode::kInternal},
      {"23514", pg::DbErrorKind::kCheckViolation, ErrorCode::kInternal},
      {"23502", pg::DbErrorKind::kNotNullViolation, ErrorCode::kInternal},
      {"22003", pg::DbErrorKind::kInvalidInput, ErrorCode::kInternal},
      {"22P02", pg::DbErrorKind::kInvalidInput, ErrorCode::kInternal},
      {"40001", pg::DbErrorKind::kRetryable, ErrorCode::kInternal},
      {"40P01", pg::DbErrorKind::kRetryable, ErrorCode::kInternal},
      {"57014", pg::DbErrorKind::kQueryCanceled, ErrorCode::kTimeout},
      {"08006", pg::DbErrorKind::kConnection, ErrorCode::kUnavailable},
      {"08001", pg::DbErrorKind::kConnection, ErrorCode::kUnavailable},
      {"57P01", pg::DbErrorKind::kConnection, ErrorCode::kUnavailable},
      {"57P02", pg::DbErrorKind::kConnection, ErrorCode::kUnavailable},
      {"57P03", pg::DbErrorKind::kConnection, ErrorCode::kUnavailable},
      {"42P01", pg::DbErrorKind::kOther, ErrorCode::kInternal},
      {"40000", pg::DbErrorKind::kOther, ErrorCode::kInternal},
  };
  pg::Connection db = migrated_connection();
  reset_counter(db);
  for (const Case& c : cases) {
    INFO("SQLSTATE " << c.sqlstate);
    const pg::DbError e = db_error_of([&] {
      (void)db.exec(kFailFirst, {"pg_test_calls", "1000000", c.sqlstate});
    });
    CHECK(e.sqlstate() == c.sqlstate);
    CHECK(e.kind() == c.kind);
    CHECK(pg::classify_sqlstate(c.sqlstate) == c.kind);
    const common::AppError mapped = pg::to_app_error(e);
    CHECK(mapped.code() == c.code);
    // What the server said is for the log only, never for the client.
    CHECK(mapped.log_detail().find(c.sqlstate) != std::string::npos);
    CHECK(mapped.log_detail().find("forced failure") != std::string::npos);
    CHECK(std::string(mapped.what()).find("forced failure") == std::string::npos);
  }
  CHECK(pg::classify_sqlstate("") == pg::DbErrorKind::kOther);
  CHECK(std::string(
            pg::to_app_error(pg::DbError(pg::DbErrorKind::kConnection, "", "", "x")).what()) ==
        "database unavailable");
}

TEST_CASE("a duplicate product sku is a unique violation naming products_sku_key",
          "[integration][pg]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  make_product(db, {.sku = "DUP-1"});
  const pg::DbError e = db_error_of([&] { make_product(db, {.sku = "DUP-1"}); });
  CHECK(e.kind() == pg::DbErrorKind::kUniqueViolation);
  CHECK(e.sqlstate() == "23505");
  CHECK(e.constraint() == "products_sku_key");
  CHECK(std::string(e.what()).find("test.make_product") != std::string::npos);
}

TEST_CASE("a negative price is a check violation", "[integration][pg]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t product = make_product(db);
  const pg::DbError e = db_error_of([&] { make_variant(db, product, {.price_cents = -1}); });
  CHECK(e.kind() == pg::DbErrorKind::kCheckViolation);
  CHECK(e.constraint() == "product_variants_price_cents_check");
}

TEST_CASE("a variant of an unknown product is a foreign key violation", "[integration][pg]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const pg::DbError e = db_error_of([&] { make_variant(db, 999999); });
  CHECK(e.kind() == pg::DbErrorKind::kForeignKeyViolation);
  CHECK(e.sqlstate() == "23503");
}

TEST_CASE("negative stock is a check violation on inventory", "[integration][pg]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t product = make_product(db);
  const pg::DbError e = db_error_of([&] { make_variant(db, product, {.available = -1}); });
  CHECK(e.kind() == pg::DbErrorKind::kCheckViolation);
  CHECK(e.constraint() == "inventory_available_check");
}

TEST_CASE("malformed and out-of-range parameters are invalid input", "[integration][pg]") {
  pg::Connection db = migrated_connection();
  const pg::DbError malformed = db_error_of([&] { (void)db.exec(kSleep, {"not a number"}); });
  CHECK(malformed.kind() == pg::DbErrorKind::kInvalidInput);
  CHECK(malformed.sqlstate() == "22P02");
  // The server quotes the bad value; a parameter's value never reaches the error.
  CHECK(std::string(malformed.what()).find("not a number") == std::string::npos);
  CHECK(std::string(malformed.what()).find("test.pg.sleep") != std::string::npos);
  const pg::DbError range = db_error_of([&] { (void)db.exec(kTerminate, {"99999999999"}); });
  CHECK(range.kind() == pg::DbErrorKind::kInvalidInput);
  CHECK(range.sqlstate() == "22003");
}

TEST_CASE("transaction rolls back everything when its function throws", "[integration][pg]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  CHECK_THROWS_AS(pg::transaction(db,
                                  [](pg::Connection& c) {
                                    make_category(c, {.name = "Rolled Back"});
                                    throw std::runtime_error("business rule failed");
                                  }),
                  std::runtime_error);
  CHECK_FALSE(db.in_transaction());
  CHECK(category_count(db, "Rolled Back") == 0);

  // A database error inside rolls back as well, and the connection stays usable.
  const int64_t product = make_product(db);
  CHECK_THROWS_AS(pg::transaction(db,
                                  [&](pg::Connection& c) {
                                    make_category(c, {.name = "Also Rolled Back"});
                                    make_variant(c, product, {.price_cents = -5});
                                  }),
                  pg::DbError);
  CHECK(category_count(db, "Also Rolled Back") == 0);
}

TEST_CASE("transaction commits and returns the function's value", "[integration][pg]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t id =
      pg::transaction(db, [](pg::Connection& c) { return make_category(c, {.name = "Kept"}); });
  CHECK(id > 0);
  CHECK(category_count(db, "Kept") == 1);
}

TEST_CASE("transaction re-runs its function after a serialization failure", "[integration][pg]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  reset_counter(db);
  int runs = 0;
  const int64_t calls = pg::transaction(db, [&](pg::Connection& c) {
    ++runs;
    make_category(c, {.name = "Retried " + std::to_string(runs)});
    return c.exec(kFailFirst, {"pg_test_calls", "2", "40001"}).int64(0, 0);
  });
  CHECK(runs == 3);
  CHECK(calls == 3);
  // Only the successful run's work is committed.
  CHECK(category_count(db, "Retried 1") == 0);
  CHECK(category_count(db, "Retried 2") == 0);
  CHECK(category_count(db, "Retried 3") == 1);
}

TEST_CASE("transaction gives up after its attempts and rethrows the retryable error",
          "[integration][pg]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  reset_counter(db);
  int runs = 0;
  const pg::DbError e = db_error_of([&] {
    pg::transaction(
        db,
        [&](pg::Connection& c) {
          ++runs;
          (void)c.exec(kFailFirst, {"pg_test_calls", "10", "40P01"});
        },
        3);
  });
  CHECK(runs == 3);
  CHECK(e.kind() == pg::DbErrorKind::kRetryable);
  CHECK(e.sqlstate() == "40P01");
  CHECK_FALSE(db.in_transaction());
}

TEST_CASE("a statement outside a transaction survives a terminated backend", "[integration][pg]") {
  pg::Connection db = migrated_connection();
  const int64_t before = backend_pid(db);
  terminate_backend(before);
  // The first use finds the connection dead, reconnects and retries once.
  const int64_t after = backend_pid(db);
  CHECK(after != before);
  CHECK(db.connected());
  CHECK(db.exec(kSelectOne, {}).int64(0, 0) == 1);
}

TEST_CASE("a fixed command outside a transaction survives a terminated backend",
          "[integration][pg]") {
  pg::Connection db = migrated_connection();
  terminate_backend(backend_pid(db));
  const int64_t id =
      pg::transaction(db, [](pg::Connection& c) { return c.exec(kSelectOne, {}).int64(0, 0); });
  CHECK(id == 1);
}

TEST_CASE("a connection lost inside a transaction is reported, not retried", "[integration][pg]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t pid = backend_pid(db);
  const pg::DbError e = db_error_of([&] {
    pg::transaction(db, [&](pg::Connection& c) {
      make_category(c, {.name = "Lost"});
      terminate_backend(pid);
      make_category(c, {.name = "Lost Too"});
    });
  });
  CHECK(e.kind() == pg::DbErrorKind::kConnection);
  CHECK_FALSE(db.connected());
  CHECK(pg::to_app_error(e).code() == ErrorCode::kUnavailable);
  // The next statement reconnects; nothing of the lost transaction remains.
  CHECK(category_count(db, "Lost") == 0);
}

TEST_CASE("a statement running past statement_timeout is a canceled query", "[integration][pg]") {
  pg::ConnectionOptions options = test_support::migrated_options();
  options.statement_timeout_ms = 100;
  pg::Connection db(options);
  const pg::DbError e = db_error_of([&] { (void)db.exec(kSleep, {"5"}); });
  CHECK(e.kind() == pg::DbErrorKind::kQueryCanceled);
  CHECK(e.sqlstate() == "57014");
  CHECK(pg::to_app_error(e).code() == ErrorCode::kTimeout);
  // The session is fine afterwards.
  CHECK(db.exec(kSelectOne, {}).int64(0, 0) == 1);
}

TEST_CASE("sessions run in UTC", "[integration][pg]") {
  pg::Connection db = migrated_connection();
  CHECK(run_sql(db, "SHOW TimeZone").str(0, 0) == "UTC");
}

TEST_CASE("a failed connect backs off before trying again", "[integration][pg]") {
  // A database that does not exist yet: connecting fails until it is created.
  test_support::TemporaryDatabase scratch;
  const std::string url = test_support::with_dbname(scratch.url(), scratch.name() + "_later");
  pg::Connection admin(test_support::unprepared_options(test_support::database_url()));

  pg::ConnectionOptions options = test_support::unprepared_options(url);
  options.min_backoff = std::chrono::milliseconds(1500);
  pg::Connection db(options);
  const pg::DbError first = db_error_of([&] { db.ensure_connected(); });
  CHECK(first.kind() == pg::DbErrorKind::kConnection);

  run_sql(admin, "CREATE DATABASE " + scratch.name() + "_later");
  // Within the backoff it fails at once, without trying.
  const pg::DbError second = db_error_of([&] { db.ensure_connected(); });
  CHECK(second.kind() == pg::DbErrorKind::kConnection);
  CHECK_FALSE(db.connected());

  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  db.ensure_connected();
  CHECK(db.connected());
  db.reset();
  CHECK_FALSE(db.connected());
  run_sql(admin, "DROP DATABASE " + scratch.name() + "_later WITH (FORCE)");
}

TEST_CASE("a write whose connection is lost before the answer is not sent again",
          "[integration][pg]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t before = backend_pid(db);
  std::thread killer = terminate_later(before, std::chrono::milliseconds(300));
  const pg::DbError e = db_error_of([&] { (void)db.exec(kSlowInsert, {"Sent Once"}); });
  killer.join();
  CHECK(e.kind() == pg::DbErrorKind::kConnection);
  CHECK(pg::to_app_error(e).code() == ErrorCode::kUnavailable);
  CHECK(std::string(e.what()).find("not sent again") != std::string::npos);
  // Reconnected for the next request, and the insert was never sent a second time.
  CHECK(db.connected());
  CHECK(backend_pid(db) != before);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  CHECK(category_count(db, "Sent Once") == 0);
}

TEST_CASE("a read whose connection is lost before the answer is re-run transparently",
          "[integration][pg]") {
  pg::Connection db = migrated_connection();
  const int64_t before = backend_pid(db);
  std::thread killer = terminate_later(before, std::chrono::milliseconds(300));
  const int64_t answered_by = db.exec(kSlowBackendPid, {}).int64(0, 0);
  killer.join();
  CHECK(answered_by != before);
  CHECK(db.connected());
}

TEST_CASE("a write after the backend ended while idle goes once to a new connection",
          "[integration][pg]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t before = backend_pid(db);
  terminate_backend(before);
  // The closed session is noticed before anything is sent on it.
  make_category(db, {.name = "After Restart"});
  CHECK(category_count(db, "After Restart") == 1);
  CHECK(backend_pid(db) != before);
}

TEST_CASE("a failing ROLLBACK never hides the error that caused it", "[integration][pg]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  const int64_t pid = backend_pid(db);
  try {
    pg::transaction(db, [&](pg::Connection& c) {
      make_category(c, {.name = "Never Committed"});
      terminate_backend(pid);  // the ROLLBACK after the throw below fails
      throw common::AppError(ErrorCode::kCartEmpty, "the cart is empty");
    });
    FAIL("the transaction's error did not propagate");
  } catch (const common::AppError& e) {
    CHECK(e.code() == ErrorCode::kCartEmpty);
  }
  // The connection whose ROLLBACK failed is dropped; the next call reconnects.
  CHECK_FALSE(db.connected());
  CHECK(category_count(db, "Never Committed") == 0);
}

TEST_CASE("a worker's connection prepares its role's statements and none of the CLI's",
          "[integration][pg]") {
  (void)test_support::migrated_options();  // the schema is in place
  const common::Config config = test_support::test_config();
  pg::Connection db(server::worker_db_options(config));
  db.ensure_connected();
  const pg::Result r = run_sql(db, "SELECT name FROM pg_prepared_statements ORDER BY name");
  std::vector<std::string> names;
  for (int i = 0; i < r.rows(); ++i) names.push_back(r.str(i, 0));
  INFO("prepared: " << names.size());
  CHECK(std::find(names.begin(), names.end(), "catalog.list_products") != names.end());
  CHECK(std::find(names.begin(), names.end(), "health.ping") != names.end());
  for (const std::string& name : names) {
    INFO(name);
    CHECK_FALSE(name.starts_with("migrate."));
    CHECK_FALSE(name.starts_with("seed"));
    CHECK_FALSE(name.starts_with("pool_admin."));
    CHECK_FALSE(name.starts_with("test."));
  }
  // A statement of another role is refused before anything is sent.
  const pg::DbError e = db_error_of([&] { (void)db.exec(kSelectOne, {}); });
  CHECK(e.kind() == pg::DbErrorKind::kMisuse);
  CHECK(pg::to_app_error(e).code() == ErrorCode::kInternal);
}

TEST_CASE("reading a column as the wrong type is the pg layer's error, not the API's",
          "[integration][pg]") {
  pg::Connection db = migrated_connection();
  const pg::Result r = run_sql(db, "SELECT 'seven', NULL::bigint, 'maybe'");
  CHECK(db_error_of([&] { (void)r.int64(0, 0); }).kind() == pg::DbErrorKind::kMisuse);
  CHECK(db_error_of([&] { (void)r.int64(0, 1); }).kind() == pg::DbErrorKind::kMisuse);
  CHECK_FALSE(r.opt_int64(0, 1).has_value());
  CHECK(db_error_of([&] { (void)r.boolean(0, 2); }).kind() == pg::DbErrorKind::kMisuse);
  CHECK(db_error_of([&] { (void)r.text(1, 0); }).kind() == pg::DbErrorKind::kMisuse);
  CHECK(db_error_of([&] { (void)r.text(0, 3); }).kind() == pg::DbErrorKind::kMisuse);
}
