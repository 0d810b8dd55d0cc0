// Every write that changes what a catalogue GET shows invalidates it after its
// commit: against real PostgreSQL and a real redis-server, through the same
// handlers the workers run. Each row primes the cache (a hit), writes through
// the service, and reads again: the answer must be the database's, loaded
// afresh (stored), never the entry from before the write.
#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "common/json.h"
#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "tests/support/invariants.h"
#include "tests/support/redis_server.h"
#include "workers/handlers/catalog_handlers.h"
#include "workers/services/admin_catalog_service.h"
#include "workers/services/cart_service.h"
#include "workers/services/catalog_service.h"
#include "workers/services/checkout_service.h"
#include "workers/services/order_service.h"

namespace {

namespace pg = common::pg;
using services::OrderAction;
using test_support::make_product;
using test_support::make_stocked_variant;
using test_support::make_user;

constexpr const char* kHit = "ecommerce; hit";
constexpr const char* kStored = "ecommerce; fwd=miss; stored";

struct World {
  int64_t product = 0;
  int64_t variant = 0;
  int64_t buyer = 0;
  int64_t admin = 0;
  int64_t order = 0;  // created (placed by the buyer), or paid for the admin rows
};

struct Read {
  std::string cache_status;
  Json::Value data;
};

Read read(pg::Connection& db, common::cache::Cache& cache, const std::string& path,
          const std::string& query, int64_t id) {
  common::Request req;
  req.method = "GET";
  req.path = path;
  req.query = query;
  common::RouteContext ctx{db, test_support::test_config(), {}, std::nullopt, &cache, std::nullopt};
  common::Response r;
  if (path == "/api/v1/categories") {
    r = handlers::list_categories(req, ctx);
  } else if (path == "/api/v1/products") {
    r = handlers::list_products(req, ctx);
  } else {
    ctx.params = {id};
    r = handlers::get_product(req, ctx);
  }
  Read out;
  for (const auto& [name, value] : r.headers) {
    if (name == "Cache-Status") out.cache_status = value;
  }
  out.data = common::json::parse_trusted(r.body)["data"];
  return out;
}

int64_t place_order(pg::Connection& db, const World& w) {
  services::add_item(db, w.buyer, {w.variant, 2});
  return services::checkout(db, w.buyer, {}, std::nullopt, nullptr).order["order_id"].asInt64();
}

void act(pg::Connection& db, common::cache::Cache* cache, OrderAction action, int64_t order,
         int64_t actor) {
  const std::optional<std::string> ref =
      action == OrderAction::kPay ? std::optional<std::string>("ref") : std::nullopt;
  (void)services::apply_action(db, {action, order, actor, ref}, cache);
}

services::ProductListRequest first_ten() {
  services::ProductListRequest r;
  r.limit = 10;
  return r;
}

struct WritePath {
  const char* name;
  bool paid_order;       // the row needs a paid order (ship, refund) rather than a created one
  bool changes_product;  // what the product's detail shows
  std::function<void(pg::Connection&, common::cache::Cache*, const World&)> write;
};

}  // namespace

TEST_CASE("every catalogue write invalidates the cached answers it changes",
          "[integration][cache]") {
  const std::vector<WritePath> paths = {
      {"create category", false, false,
       [](pg::Connection& db, common::cache::Cache* c, const World&) {
         (void)services::create_category(db, {"Fresh " + test_support::unique_suffix()}, c);
       }},
      {"create product", false, false,
       [](pg::Connection& db, common::cache::Cache* c, const World&) {
         (void)services::create_product(
             db, {"NEW-" + test_support::unique_suffix(), "New product", {}, {}}, c);
       }},
      {"update product", false, true,
       [](pg::Connection& db, common::cache::Cache* c, const World& w) {
         repo::ProductChanges changes;
         changes.set_title = true;
         changes.title = "Renamed";
         (void)services::update_product(db, w.product, changes, c);
       }},
      {"create variant", false, true,
       [](pg::Connection& db, common::cache::Cache* c, const World& w) {
         (void)services::create_variant(
             db, w.product, {"V-" + test_support::unique_suffix(), 500, "{}", 3}, w.admin, c);
       }},
      {"update variant", false, true,
       [](pg::Connection& db, common::cache::Cache* c, const World& w) {
         (void)services::update_variant(db, w.variant, {std::optional<int64_t>(777), std::nullopt},
                                        c);
       }},
      {"adjust stock", false, true,
       [](pg::Connection& db, common::cache::Cache* c, const World& w) {
         (void)services::adjust_stock(db, w.variant, {5, "delivery"}, w.admin, c);
       }},
      {"checkout", false, true,
       [](pg::Connection& db, common::cache::Cache* c, const World& w) {
         services::add_item(db, w.buyer, {w.variant, 1});
         (void)services::checkout(db, w.buyer, {}, std::nullopt, c);
       }},
      {"cancel", false, true,
       [](pg::Connection& db, common::cache::Cache* c, const World& w) {
         act(db, c, OrderAction::kCancel, w.order, w.buyer);
       }},
      {"ship", true, true,
       [](pg::Connection& db, common::cache::Cache* c, const World& w) {
         act(db, c, OrderAction::kShip, w.order, w.admin);
       }},
      {"refund", true, true,
       [](pg::Connection& db, common::cache::Cache* c, const World& w) {
         act(db, c, OrderAction::kRefund, w.order, w.admin);
       }},
  };

  test_support::RedisServer redis;
  common::cache::SharedState shared;
  common::cache::Options options;
  options.url = redis.url();
  common::cache::Cache cache(options, shared);
  pg::Connection db = test_support::migrated_connection();

  for (const WritePath& path : paths) {
    DYNAMIC_SECTION(path.name) {
      test_support::truncate_all(db);
      redis.cli("FLUSHALL");
      World w;
      w.product = make_product(db);
      w.variant = make_stocked_variant(db, w.product, {.available = 10});
      w.buyer = make_user(db);
      w.admin = make_user(db);
      w.order = place_order(db, w);
      if (path.paid_order) act(db, nullptr, OrderAction::kPay, w.order, w.buyer);

      struct Target {
        std::string path, query;
      };
      const std::vector<Target> targets = {{"/api/v1/products/{id}", ""},
                                           {"/api/v1/products", "limit=10"},
                                           {"/api/v1/categories", ""}};
      for (const auto& t : targets) {  // prime: the second read is a hit
        read(db, cache, t.path, t.query, w.product);
        REQUIRE(read(db, cache, t.path, t.query, w.product).cache_status == kHit);
      }

      path.write(db, &cache, w);

      for (const auto& t : targets) {
        INFO(t.path << "?" << t.query);
        const bool detail = t.path == "/api/v1/products/{id}";
        const Read after = read(db, cache, t.path, t.query, w.product);
        const Json::Value truth = t.path == "/api/v1/categories" ? services::list_categories(db)
                                  : detail ? services::get_product(db, w.product)
                                           : services::list_products(db, first_ten());
        CHECK(after.data == truth);
        // Lists and categories hang off the catalogue's version, which every
        // write moves; a product's detail off its own, which the writes to
        // other products leave alone.
        CHECK(after.cache_status == (detail && !path.changes_product ? kHit : kStored));
      }
    }
  }
}
