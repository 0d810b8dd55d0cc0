// The inventory.sync job handler (workers/jobs/inventory_jobs.h) run the way a
// job runner runs it, with a JobContext on a real database: counts, unknown
// skus, conflicts, the sync:{source} ledger rows, idempotency, the catalogue
// cache, and checkouts racing it.
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "tests/support/invariants.h"
#include "tests/support/job_context.h"
#include "tests/support/parallel_calls.h"
#include "tests/support/redis_server.h"
#include "workers/handlers/catalog_handlers.h"
#include "workers/jobs/inventory_jobs.h"
#include "workers/services/cart_service.h"
#include "workers/services/checkout_service.h"

namespace {

namespace pg = common::pg;
using test_support::make_product;
using test_support::make_stocked_variant;
using test_support::make_user;
using test_support::migrated_connection;
using test_support::require_stock_invariants;
using test_support::Stock;
using test_support::stock_of;

const pg::Statement kLedgerOf{"test.inventory_sync_job.ledger_of", pg::Role::kTest,
                              pg::Effect::kRead,
                              R"SQL(
SELECT kind, available_delta, reserved_delta, coalesce(reason, ''), actor_user_id IS NULL
FROM inventory_movements
WHERE variant_id = $1 AND kind <> 'initial'
ORDER BY id
)SQL"};

const pg::Statement kDropInventoryRow{"test.inventory_sync_job.drop_inventory_row", pg::Role::kTest,
                                      pg::Effect::kWrite,
                                      "DELETE FROM inventory WHERE variant_id = $1"};

struct LedgerRow {
  std::string kind;
  int64_t available_delta;
  int64_t reserved_delta;
  std::string reason;
  bool operator==(const LedgerRow&) const = default;
};
std::ostream& operator<<(std::ostream& out, const LedgerRow& r) {
  return out << "{" << r.kind << ", " << r.available_delta << ", " << r.reserved_delta << ", "
             << r.reason << "}";
}

// A variant's ledger rows after its initial one.
std::vector<LedgerRow> ledger_of(pg::Connection& db, int64_t variant_id) {
  const pg::Result r = db.exec(kLedgerOf, {std::to_string(variant_id)});
  std::vector<LedgerRow> out;
  for (int row = 0; row < r.rows(); ++row) {
    if (r.str(row, 3).rfind("sync:", 0) == 0) CHECK(r.boolean(row, 4));  // a sync has no actor
    out.push_back({r.str(row, 0), r.int64(row, 1), r.int64(row, 2), r.str(row, 3)});
  }
  return out;
}

Json::Value sync_payload(const std::vector<std::pair<std::string, int64_t>>& counts,
                         const std::string& source) {
  Json::Value payload(Json::objectValue);
  Json::Value& items = payload["items"] = Json::Value(Json::arrayValue);
  for (const auto& [sku, on_hand] : counts) {
    Json::Value item(Json::objectValue);
    item["sku"] = sku;
    item["on_hand"] = static_cast<Json::Int64>(on_hand);
    items.append(item);
  }
  payload["source"] = source;
  return payload;
}

Json::Value run_sync(pg::Connection& db, const Json::Value& payload,
                     common::cache::Cache* cache = nullptr) {
  const common::Config config = test_support::test_config();
  jobs::JobContext ctx = test_support::job_context(db, config, cache);
  return jobs::run_inventory_sync(ctx, payload);
}

Json::Value applied(const std::string& sku, int64_t variant_id, int64_t before, int64_t after) {
  Json::Value row(Json::objectValue);
  row["sku"] = sku;
  row["variant_id"] = static_cast<Json::Int64>(variant_id);
  row["available_before"] = static_cast<Json::Int64>(before);
  row["available_after"] = static_cast<Json::Int64>(after);
  return row;
}

// A buyer whose cart holds `quantity` units of the variant, and the order it places.
int64_t buyer_with(pg::Connection& db, int64_t variant_id, int64_t quantity) {
  const int64_t buyer = make_user(db);
  services::add_item(db, buyer, {variant_id, quantity});
  return buyer;
}
int64_t place_order(pg::Connection& db, int64_t buyer) {
  return services::checkout(db, buyer, {}, std::nullopt, nullptr).order["order_id"].asInt64();
}

}  // namespace

TEST_CASE("inventory sync sets available + reserved to the count and lists what it did",
          "[integration][inventory]") {
  pg::Connection db = migrated_connection();
  test_support::truncate_all(db);
  const int64_t product = make_product(db);
  const int64_t up = make_stocked_variant(db, product, {.sku = "SYNC-UP", .available = 5});
  const int64_t down = make_stocked_variant(db, product, {.sku = "SYNC-DOWN", .available = 9});
  const int64_t same = make_stocked_variant(db, product, {.sku = "SYNC-SAME", .available = 4});
  const int64_t short_ = make_stocked_variant(db, product, {.sku = "SYNC-SHORT", .available = 6});
  // Open orders hold 2 units of UP, 3 of SAME and 4 of SHORT.
  place_order(db, buyer_with(db, up, 2));
  place_order(db, buyer_with(db, same, 3));
  place_order(db, buyer_with(db, short_, 4));
  REQUIRE(stock_of(db, up) == Stock{3, 2, 0});
  REQUIRE(stock_of(db, same) == Stock{1, 3, 0});
  REQUIRE(stock_of(db, short_) == Stock{2, 4, 0});

  const Json::Value payload = sync_payload(
      {{"SYNC-UP", 12}, {"SYNC-NOPE", 5}, {"SYNC-DOWN", 3}, {"SYNC-SAME", 4}, {"SYNC-SHORT", 1}},
      "wms-east");
  const Json::Value result = run_sync(db, payload);
  INFO(common::json::write(result));

  SECTION("applied, unknown sku, conflict and unchanged") {
    REQUIRE(result["applied"].size() == 4);
    CHECK(result["applied"][0] == applied("SYNC-UP", up, 3, 10));
    CHECK(result["applied"][1] == applied("SYNC-DOWN", down, 9, 3));
    CHECK(result["applied"][2] == applied("SYNC-SAME", same, 1, 1));
    CHECK(result["applied"][3] == applied("SYNC-SHORT", short_, 2, 0));
    CHECK(result["unknown_skus"] == common::json::parse_trusted(R"(["SYNC-NOPE"])"));
    CHECK(result["conflicts"] ==
          common::json::parse_trusted(R"([{"sku": "SYNC-SHORT", "on_hand": 1, "reserved": 4}])"));
    // reserved is never touched
    CHECK(stock_of(db, up) == Stock{10, 2, 0});
    CHECK(stock_of(db, down) == Stock{3, 0, 0});
    CHECK(stock_of(db, same) == Stock{1, 3, 0});
    CHECK(stock_of(db, short_) == Stock{0, 4, 0});
  }

  SECTION("each change is one ledger row with reason sync:{source}; unchanged rows write none") {
    CHECK(ledger_of(db, up) == std::vector<LedgerRow>{{"reserve", -2, 2, "checkout"},
                                                      {"restock", 7, 0, "sync:wms-east"}});
    CHECK(ledger_of(db, down) == std::vector<LedgerRow>{{"write_off", -6, 0, "sync:wms-east"}});
    CHECK(ledger_of(db, same) == std::vector<LedgerRow>{{"reserve", -3, 3, "checkout"}});
    CHECK(ledger_of(db, short_) == std::vector<LedgerRow>{{"reserve", -4, 4, "checkout"},
                                                          {"write_off", -2, 0, "sync:wms-east"}});
    require_stock_invariants(db);
  }

  SECTION("a second run changes nothing more") {
    const Json::Value again = run_sync(db, payload);
    REQUIRE(again["applied"].size() == 4);
    CHECK(again["applied"][0] == applied("SYNC-UP", up, 10, 10));
    CHECK(again["applied"][1] == applied("SYNC-DOWN", down, 3, 3));
    CHECK(again["applied"][3] == applied("SYNC-SHORT", short_, 0, 0));
    CHECK(again["conflicts"] == result["conflicts"]);
    CHECK(ledger_of(db, up).size() == 2);
    CHECK(ledger_of(db, down).size() == 1);
    CHECK(ledger_of(db, short_).size() == 2);
    CHECK(stock_of(db, up) == Stock{10, 2, 0});
    require_stock_invariants(db);
  }
}

TEST_CASE("inventory sync gives a variant without an inventory row one at its count",
          "[integration][inventory]") {
  pg::Connection db = migrated_connection();
  test_support::truncate_all(db);
  const int64_t variant =
      test_support::make_variant(db, make_product(db), {.sku = "SYNC-ROWLESS", .available = 0});
  (void)db.exec(kDropInventoryRow, {std::to_string(variant)});

  const Json::Value result = run_sync(db, sync_payload({{"SYNC-ROWLESS", 4}}, "api"));
  INFO(common::json::write(result));
  CHECK(result["applied"][0] == applied("SYNC-ROWLESS", variant, 0, 4));
  CHECK(stock_of(db, variant) == Stock{4, 0, 0});
  CHECK(ledger_of(db, variant) == std::vector<LedgerRow>{{"restock", 4, 0, "sync:api"}});
  require_stock_invariants(db);
}

TEST_CASE("inventory sync refuses a payload the endpoint would refuse, for good",
          "[integration][inventory]") {
  pg::Connection db = migrated_connection();
  test_support::truncate_all(db);
  CHECK_THROWS_AS(run_sync(db, common::json::parse_trusted(R"({"items": []})")), jobs::JobFailed);
  CHECK_THROWS_AS(run_sync(db, common::json::parse_trusted(R"([1])")), jobs::JobFailed);
  CHECK_THROWS_AS(
      run_sync(db, common::json::parse_trusted(R"({"items": [{"sku": "A", "on_hand": -1}]})")),
      jobs::JobFailed);
}

TEST_CASE("inventory sync invalidates the cached catalogue answers of what it changed",
          "[integration][inventory][cache]") {
  test_support::RedisServer redis;
  common::cache::SharedState shared;
  common::cache::Options options;
  options.url = redis.url();
  common::cache::Cache cache(options, shared);
  pg::Connection db = migrated_connection();
  test_support::truncate_all(db);
  const int64_t product = make_product(db);
  const int64_t variant = make_stocked_variant(db, product, {.sku = "SYNC-CACHED", .available = 5});

  const common::Config config = test_support::test_config();
  const auto read = [&] {
    common::Request req;
    req.method = "GET";
    req.path = "/api/v1/products/" + std::to_string(product);
    common::RouteContext ctx{db, config, {product}, std::nullopt, &cache, std::nullopt};
    const common::Response r = handlers::get_product(req, ctx);
    std::string status;
    for (const auto& [name, value] : r.headers) {
      if (name == "Cache-Status") status = value;
    }
    return std::make_pair(status, common::json::parse_trusted(r.body)["data"]);
  };
  (void)read();
  REQUIRE(read().first == "ecommerce; hit");

  (void)run_sync(db, sync_payload({{"SYNC-CACHED", 8}}, "api"), &cache);
  const auto [status, product_json] = read();
  CHECK(status == "ecommerce; fwd=miss; stored");
  CHECK(product_json["variants"][0]["id"].asInt64() == variant);
  CHECK(product_json["variants"][0]["available"].asInt64() == 8);
}

TEST_CASE("inventory sync racing checkouts: identities hold and nothing is oversold",
          "[integration][inventory][concurrency]") {
  constexpr int kBuyers = 12;
  constexpr int kSyncs = 4;
  constexpr int64_t kOnHand = 8;
  pg::Connection db = migrated_connection();
  auto connections = test_support::thread_connections(kBuyers + kSyncs);
  for (int round = 0; round < 5; ++round) {
    DYNAMIC_SECTION("round " << round) {
      test_support::truncate_all(db);
      const int64_t product = make_product(db);
      const int64_t variant = make_stocked_variant(db, product, {.sku = "RACE", .available = 3});
      const int64_t other = make_stocked_variant(db, product, {.sku = "RACE-2", .available = 50});
      std::vector<int64_t> buyers;
      for (int i = 0; i < kBuyers; ++i) {
        const int64_t buyer = buyer_with(db, variant, 1);
        services::add_item(db, buyer, {other, 1});  // two rows locked per checkout
        buyers.push_back(buyer);
      }
      const Json::Value payload = sync_payload({{"RACE-2", 40}, {"RACE", kOnHand}}, "race");

      const auto outcomes = test_support::run_concurrently(kBuyers + kSyncs, [&](int i) {
        pg::Connection& c = *connections[static_cast<size_t>(i)];
        if (i < kBuyers) {
          (void)place_order(c, buyers[static_cast<size_t>(i)]);
        } else {
          (void)run_sync(c, payload);
        }
      });
      int sold = 0;
      for (size_t i = 0; i < outcomes.size(); ++i) {
        INFO("call " << i << ": " << outcomes[i].error);
        if (i < static_cast<size_t>(kBuyers)) {
          CHECK((outcomes[i].ok || outcomes[i].code == common::ErrorCode::kInsufficientStock));
          if (outcomes[i].ok) ++sold;
        } else {
          CHECK(outcomes[i].ok);
        }
      }
      // Every sync left available + reserved at the count and checkout only
      // moves units between the two: never more sold than counted.
      const Stock stock = stock_of(db, variant);
      CHECK(stock.reserved == sold);
      CHECK(stock.available + stock.reserved == kOnHand);
      CHECK(sold <= kOnHand);
      require_stock_invariants(db);
    }
  }
}
