// The stock.reconcile job handler (workers/jobs/inventory_jobs.h) run the way
// a job runner runs it, on a real database: no drift in a consistent one, and
// a deliberately corrupted variant listed, counted and reported, never
// repaired, over catalogues of several pages.
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "tests/support/invariants.h"
#include "tests/support/job_context.h"
#include "workers/jobs/inventory_jobs.h"
#include "workers/services/cart_service.h"
#include "workers/services/checkout_service.h"
#include "workers/services/stock_reconcile_service.h"

namespace {

namespace pg = common::pg;
using test_support::make_product;
using test_support::make_stocked_variant;
using test_support::make_user;
using test_support::migrated_connection;
using test_support::Stock;
using test_support::stock_of;

// Moves stock behind the ledger's back, as a hand edit of the database would.
const pg::Statement kCorruptAvailable{"test.stock_reconcile_job.corrupt_available", pg::Role::kTest,
                                      pg::Effect::kWrite,
                                      "UPDATE inventory SET available = available + $2::integer "
                                      "WHERE variant_id = $1"};

// `$1` variants of one product, each with 3 units and their "initial" ledger row.
const pg::Statement kBulkVariants{"test.stock_reconcile_job.bulk_variants", pg::Role::kTest,
                                  pg::Effect::kWrite, R"SQL(
WITH p AS (
  INSERT INTO products (sku, title) VALUES ('BULK', 'Bulk') RETURNING id
), v AS (
  INSERT INTO product_variants (sku, product_id, price_cents)
  SELECT 'BULK-' || g, p.id, 100 FROM p, generate_series(1, $1::integer) g
  RETURNING id
), i AS (
  INSERT INTO inventory (variant_id, available) SELECT id, 3 FROM v RETURNING variant_id
)
INSERT INTO inventory_movements (variant_id, kind, available_delta, reserved_delta, reason)
SELECT variant_id, 'initial', 3, 0, 'test fixture' FROM i
)SQL"};

// The reconciliation job's result and the drift count it reported.
struct Reconciled {
  Json::Value result;
  std::optional<int64_t> reported;
};
Reconciled reconcile(pg::Connection& db) {
  const common::Config config = test_support::test_config();
  Reconciled out;
  jobs::JobContext ctx =
      test_support::job_context(db, config, nullptr, [&](int64_t n) { out.reported = n; });
  out.result = jobs::run_stock_reconcile(ctx, Json::Value(Json::objectValue));
  return out;
}

// An order of `quantity` units of the variant, by a new buyer.
void place_order_of(pg::Connection& db, int64_t variant_id, int64_t quantity) {
  const int64_t buyer = make_user(db);
  services::add_item(db, buyer, {variant_id, quantity});
  (void)services::checkout(db, buyer, {}, std::nullopt, nullptr);
}

}  // namespace

TEST_CASE("stock reconciliation finds no drift in a consistent database",
          "[integration][inventory][reconcile]") {
  pg::Connection db = migrated_connection();
  test_support::truncate_all(db);
  const int64_t product = make_product(db);
  const int64_t a = make_stocked_variant(db, product, {.available = 5});
  make_stocked_variant(db, product, {.available = 0});
  place_order_of(db, a, 2);

  const auto [result, reported] = reconcile(db);
  INFO(common::json::write(result));
  CHECK(result["checked_variants"] == 2);
  CHECK(result["drift_variants"] == 0);
  CHECK(result["drift"].empty());
  CHECK(reported == 0);

  // Without a reporter (a runner that publishes no metric) it runs all the same.
  const common::Config config = test_support::test_config();
  jobs::JobContext bare = test_support::job_context(db, config);
  CHECK(jobs::run_stock_reconcile(bare, Json::Value())["drift_variants"] == 0);
}

TEST_CASE("stock reconciliation lists a corrupted variant, reports the count, repairs nothing",
          "[integration][inventory][reconcile]") {
  pg::Connection db = migrated_connection();
  test_support::truncate_all(db);
  const int64_t product = make_product(db);
  make_stocked_variant(db, product, {.available = 5});
  const int64_t bad = make_stocked_variant(db, product, {.sku = "DRIFT", .available = 5});
  place_order_of(db, bad, 1);
  (void)db.exec(kCorruptAvailable, {std::to_string(bad), "3"});

  const auto [result, reported] = reconcile(db);
  INFO(common::json::write(result));
  CHECK(result["checked_variants"] == 2);
  CHECK(result["drift_variants"] == 1);
  CHECK(reported == 1);
  REQUIRE(result["drift"].size() == 1);
  const Json::Value& drift = result["drift"][0];
  CHECK(drift["variant_id"].asInt64() == bad);
  CHECK(drift["sku"] == "DRIFT");
  CHECK(drift["available"] == 7);
  CHECK(drift["reserved"] == 1);
  CHECK(drift["differences"] == common::json::parse_trusted(R"([
      {"check": "ledger_stock_in", "recorded": 8, "expected": 5},
      {"check": "ledger_available", "recorded": 7, "expected": 4}])"));
  CHECK(stock_of(db, bad) == Stock{7, 1, 0});  // left as it was found

  const std::vector<std::string> violations = test_support::stock_invariant_violations(db);
  CHECK(violations.size() == 2);
}

TEST_CASE("stock reconciliation checks every variant of a catalogue larger than one page",
          "[integration][inventory][reconcile]") {
  pg::Connection db = migrated_connection();
  test_support::truncate_all(db);
  (void)db.exec(kBulkVariants, {"2500"});  // ids 1..2500: pages of 1000, 1000 and 500
  (void)db.exec(kCorruptAvailable, {"1", "1"});
  (void)db.exec(kCorruptAvailable, {"1000", "1"});
  (void)db.exec(kCorruptAvailable, {"1001", "1"});
  (void)db.exec(kCorruptAvailable, {"2500", "-1"});

  const auto [result, reported] = reconcile(db);
  CHECK(result["checked_variants"] == 2500);
  CHECK(result["drift_variants"] == 4);
  CHECK(reported == 4);
  REQUIRE(result["drift"].size() == 4);
  CHECK(result["drift"][0]["variant_id"] == 1);
  CHECK(result["drift"][1]["variant_id"] == 1000);
  CHECK(result["drift"][2]["variant_id"] == 1001);
  CHECK(result["drift"][3]["variant_id"] == 2500);
  CHECK(result["drift"][3]["sku"] == "BULK-2500");

  // The listing stops at 100 drifting variants; the count does not.
  for (int id = 1100; id < 1300; ++id) (void)db.exec(kCorruptAvailable, {std::to_string(id), "2"});
  const auto [many, reported_many] = reconcile(db);
  CHECK(many["drift_variants"] == 204);
  CHECK(reported_many == 204);
  CHECK(many["drift"].size() == services::kMaxListedDrift);
  CHECK(many["drift"][99]["variant_id"] == 1196);  // 1, 1000, 1001, then 1100..1196
}
