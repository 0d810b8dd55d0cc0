// `seed` and `seed-large` on the migrated test database.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/pg.h"
#include "tests/support/db.h"
#include "workers/cli/commands.h"

namespace {

namespace pg = common::pg;
using test_support::migrated_connection;
using test_support::run_sql;
using test_support::test_config;
using test_support::truncate_all;

const pg::Statement kVariantBySku{"test.seed.variant_by_sku", pg::Role::kTest, pg::Effect::kRead,
                                  R"SQL(
SELECT v.price_cents, v.attributes = $2::jsonb, i.available, i.reserved, p.sku, c.name
FROM product_variants v
JOIN inventory i ON i.variant_id = v.id
JOIN products p ON p.id = v.product_id
LEFT JOIN categories c ON c.id = p.category_id
WHERE v.sku = $1
)SQL"};

const pg::Statement kOrdersOf{"test.seed.orders_of", pg::Role::kTest, pg::Effect::kRead, R"SQL(
SELECT o.id, o.status, o.total_cents, o.currency,
       (SELECT count(*) FROM order_items oi WHERE oi.order_id = o.id)
FROM orders o JOIN users u ON u.id = o.user_id
WHERE u.email = $1
)SQL"};

const pg::Statement kGeneratedProducts{"test.seed.generated_products", pg::Role::kTest,
                                       pg::Effect::kRead, R"SQL(
SELECT count(*),
       count(*) FILTER (WHERE variants NOT BETWEEN 3 AND 5),
       count(*) FILTER (WHERE category_id IS NULL)
FROM (
  SELECT p.id, p.category_id, count(v.id) AS variants
  FROM products p LEFT JOIN product_variants v ON v.product_id = p.id
  WHERE p.sku LIKE 'GEN-%'
  GROUP BY p.id
) per_product
)SQL"};

const pg::Statement kGeneratedVariants{"test.seed.generated_variants", pg::Role::kTest,
                                       pg::Effect::kRead, R"SQL(
SELECT count(*),
       count(*) FILTER (WHERE i.variant_id IS NULL),
       min(i.available), max(i.available), min(v.price_cents), max(v.price_cents),
       count(*) FILTER (WHERE v.sku NOT LIKE p.sku || '-%')
FROM product_variants v
JOIN products p ON p.id = v.product_id
LEFT JOIN inventory i ON i.variant_id = v.id
WHERE p.sku LIKE 'GEN-%'
)SQL"};

int64_t count_of(pg::Connection& db, const char* table) {
  return run_sql(db, std::string("SELECT count(*) FROM ") + table).int64(0, 0);
}

struct VariantRow {
  const char* sku;
  int64_t price_cents;
  const char* attributes;
  int64_t available;
  const char* product_sku;
  const char* category;
};

}  // namespace

TEST_CASE("seed loads exactly the original catalogue however often it runs",
          "[integration][seed]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  REQUIRE(cli::seed(test_config(), {}) == 0);
  REQUIRE(cli::seed(test_config(), {}) == 0);

  CHECK(count_of(db, "categories") == 3);
  CHECK(count_of(db, "products") == 4);
  CHECK(count_of(db, "product_variants") == 9);
  CHECK(count_of(db, "inventory") == 9);
  CHECK(count_of(db, "users") == 3);  // alice, bob and the admin account
  CHECK(run_sql(db, "SELECT count(*) FROM users WHERE hashed_password IS NULL").int64(0, 0) == 2);

  const VariantRow rows[] = {
      {"ELEC-LAPTOP-001-SLV", 129999, R"({"color": "silver", "storage_gb": 512})", 25,
       "ELEC-LAPTOP-001", "Electronics"},
      {"ELEC-LAPTOP-001-BLK", 134999, R"({"color": "black", "storage_gb": 1024})", 10,
       "ELEC-LAPTOP-001", "Electronics"},
      {"ELEC-PHONE-002-128", 79999, R"({"color": "midnight", "storage_gb": 128})", 50,
       "ELEC-PHONE-002", "Electronics"},
      {"ELEC-PHONE-002-256", 89999, R"({"color": "midnight", "storage_gb": 256})", 30,
       "ELEC-PHONE-002", "Electronics"},
      {"CLO-TSHIRT-001-S-WHT", 2999, R"({"size": "S", "color": "white"})", 100, "CLO-TSHIRT-001",
       "Clothing"},
      {"CLO-TSHIRT-001-M-WHT", 2999, R"({"size": "M", "color": "white"})", 150, "CLO-TSHIRT-001",
       "Clothing"},
      {"CLO-TSHIRT-001-L-BLK", 2999, R"({"size": "L", "color": "black"})", 80, "CLO-TSHIRT-001",
       "Clothing"},
      {"BOOK-PYFLASK-001-PBK", 3999, R"({"format": "paperback"})", 200, "BOOK-PYFLASK-001",
       "Books"},
      {"BOOK-PYFLASK-001-EBK", 1999, R"({"format": "ebook"})", 9999, "BOOK-PYFLASK-001", "Books"},
  };
  for (const VariantRow& row : rows) {
    INFO(row.sku);
    const pg::Result r = db.exec(kVariantBySku, {row.sku, row.attributes});
    REQUIRE(r.rows() == 1);
    CHECK(r.int64(0, 0) == row.price_cents);
    CHECK(r.boolean(0, 1));  // attributes equal as JSON: numbers are numbers
    CHECK(r.int64(0, 2) == row.available);
    CHECK(r.str(0, 4) == row.product_sku);
    CHECK(r.str(0, 5) == row.category);
  }
}

TEST_CASE("seed gives alice one paid order whose units are held in reserved",
          "[integration][seed]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  REQUIRE(cli::seed(test_config(), {}) == 0);
  REQUIRE(cli::seed(test_config(), {}) == 0);

  const pg::Result alice = db.exec(kOrdersOf, {"alice@example.com"});
  REQUIRE(alice.rows() == 1);
  CHECK(alice.str(0, 1) == "paid");
  CHECK(alice.int64(0, 2) == 129999 + 2 * 3999);
  CHECK(alice.int64(0, 2) == 137997);
  CHECK(alice.str(0, 3) == "USD");
  CHECK(alice.int64(0, 4) == 2);
  CHECK(db.exec(kOrdersOf, {"bob@example.com"}).rows() == 0);

  const pg::Result laptop = db.exec(kVariantBySku, {"ELEC-LAPTOP-001-SLV", "{}"});
  CHECK(laptop.int64(0, 2) == 25);  // available stays the listed stock
  CHECK(laptop.int64(0, 3) == 1);
  const pg::Result book = db.exec(kVariantBySku, {"BOOK-PYFLASK-001-PBK", "{}"});
  CHECK(book.int64(0, 2) == 200);
  CHECK(book.int64(0, 3) == 2);
  CHECK(run_sql(db, "SELECT sum(reserved) FROM inventory").int64(0, 0) == 3);

  // Its history, once however often the seed runs: created, then paid.
  const pg::Result events = run_sql(
      db, "SELECT coalesce(from_status, '-'), to_status FROM order_events WHERE order_id = " +
              std::to_string(alice.int64(0, 0)) + " ORDER BY id");
  REQUIRE(events.rows() == 2);
  CHECK(events.str(0, 0) == "-");
  CHECK(events.str(0, 1) == "created");
  CHECK(events.str(1, 0) == "created");
  CHECK(events.str(1, 1) == "paid");
}

TEST_CASE("seed-large adds N stocked products with 3 to 5 variants each, once",
          "[integration][seed]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  REQUIRE(cli::seed_large(test_config(), {"--products", "50"}) == 0);
  const int64_t variants = count_of(db, "product_variants");
  REQUIRE(cli::seed_large(test_config(), {"--products=50"}) == 0);

  const pg::Result products = db.exec(kGeneratedProducts, {});
  CHECK(products.int64(0, 0) == 50);
  CHECK(products.int64(0, 1) == 0);  // none outside 3..5 variants
  CHECK(products.int64(0, 2) == 0);  // all in a category
  CHECK(count_of(db, "products") == 50);
  CHECK(count_of(db, "product_variants") == variants);

  const pg::Result v = db.exec(kGeneratedVariants, {});
  CHECK(v.int64(0, 0) == variants);
  CHECK(v.int64(0, 0) >= 150);
  CHECK(v.int64(0, 0) <= 250);
  CHECK(v.int64(0, 1) == 0);  // each has an inventory row
  CHECK(v.int64(0, 2) >= 50);
  CHECK(v.int64(0, 3) <= 500);
  CHECK(v.int64(0, 4) >= 100);
  CHECK(v.int64(0, 5) <= 100000);
  CHECK(v.int64(0, 6) == 0);  // variant skus are GEN-<n>-<k>
  CHECK(run_sql(db, "SELECT count(*) FROM products WHERE title ILIKE '%laptop%'").int64(0, 0) > 0);

  // A larger N adds only the missing products.
  REQUIRE(cli::seed_large(test_config(), {"--products", "60"}) == 0);
  CHECK(db.exec(kGeneratedProducts, {}).int64(0, 0) == 60);
}

TEST_CASE("seed-large refuses a missing or out-of-range --products", "[integration][seed]") {
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"--products"},
      {"--products", "0"},
      {"--products", "10000001"},
      {"--products", "ten"},
      {"--products", "5", "--extra"},
      {"--products=-3"},
  };
  for (const auto& args : bad) {
    INFO(args.size());
    CHECK(cli::seed_large(test_config(), args) == 2);
  }
}
