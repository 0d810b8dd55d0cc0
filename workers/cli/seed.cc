// `seed` (the demo data of sql/seed.sql) and `seed-large` (a generated
// catalogue for load tests). Both are idempotent.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "common/pg.h"
#include "workers/cli/cli_support.h"
#include "workers/cli/commands.h"
#include "workers/cli/user.h"

namespace cli {

namespace {

namespace pg = common::pg;

const pg::Statement kCounts{"seed.counts", pg::Role::kSeed, pg::Effect::kRead, R"SQL(
SELECT (SELECT count(*) FROM categories), (SELECT count(*) FROM products),
       (SELECT count(*) FROM product_variants), (SELECT count(*) FROM users),
       (SELECT count(*) FROM orders)
)SQL"};

// --- seed-large ---------------------------------------------------------------
// Product n (1..N) is "GEN-<n>"; its variants are "GEN-<n>-<k>", k = 1..3+n%3
// (3, 4 or 5: four on average). Everything else is derived from n and k, so a
// second run computes the same rows and ON CONFLICT skips them.

constexpr long long kMaxProducts = 10'000'000;
constexpr long long kBatch = 10'000;  // products per statement and per transaction

const pg::Statement kLargeCategories{"seed_large.categories", pg::Role::kSeed, pg::Effect::kWrite,
                                     R"SQL(
INSERT INTO categories (name)
SELECT unnest(ARRAY['Generated Electronics', 'Generated Apparel', 'Generated Books',
                    'Generated Home', 'Generated Sports', 'Generated Toys'])
ON CONFLICT (name) DO NOTHING
)SQL"};

// Titles combine a word list so that title search (`q`) has realistic hits:
// "lap" finds one product in sixteen.
const pg::Statement kLargeProducts{"seed_large.products", pg::Role::kSeed, pg::Effect::kWrite,
                                   R"SQL(
INSERT INTO products (sku, title, description, category_id)
SELECT 'GEN-' || n,
       (ARRAY['Classic', 'Compact', 'Deluxe', 'Eco', 'Ultra', 'Smart', 'Vintage', 'Pro',
              'Mini', 'Premium', 'Rugged', 'Wireless'])[(n % 12)::int + 1]
         || ' ' ||
       (ARRAY['Laptop', 'Phone', 'Headphones', 'Backpack', 'T-Shirt', 'Jacket', 'Sneakers',
              'Novel', 'Cookbook', 'Lamp', 'Camera', 'Watch', 'Mug', 'Keyboard', 'Monitor',
              'Blender'])[(n / 12 % 16)::int + 1]
         || ' ' || n,
       'Generated product number ' || n || ' for load tests.',
       c.id
FROM generate_series($1::bigint, $2::bigint) AS n
JOIN categories c
  ON c.name = (ARRAY['Generated Electronics', 'Generated Apparel', 'Generated Books',
                     'Generated Home', 'Generated Sports', 'Generated Toys'])[(n % 6)::int + 1]
ORDER BY n
ON CONFLICT (sku) DO NOTHING
)SQL"};

// Variants and their inventory rows in one statement: price 100..100000 cents,
// available 50..500.
const pg::Statement kLargeVariants{"seed_large.variants", pg::Role::kSeed, pg::Effect::kWrite,
                                   R"SQL(
WITH new_variants AS (
  INSERT INTO product_variants (sku, product_id, price_cents, attributes)
  SELECT p.sku || '-' || k,
         p.id,
         100 + (n * 7919 + k * 104729) % 99901,
         jsonb_build_object(
           'color', (ARRAY['black', 'white', 'red', 'blue', 'green', 'silver'])[((n + k) % 6)::int + 1],
           'size', (ARRAY['XS', 'S', 'M', 'L', 'XL'])[k],
           'weight_g', 100 + (n * k) % 4900)
  FROM generate_series($1::bigint, $2::bigint) AS n
  JOIN products p ON p.sku = 'GEN-' || n
  CROSS JOIN LATERAL generate_series(1, 3 + (n % 3)::int) AS k
  ORDER BY n, k
  ON CONFLICT (sku) DO NOTHING
  RETURNING id
)
INSERT INTO inventory (variant_id, available, reserved)
SELECT id, 50 + (id * 7907 % 451)::int, 0
FROM new_variants
ON CONFLICT (variant_id) DO NOTHING
)SQL"};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// `--products N` or `--products=N`; false (after saying why) when missing or bad.
bool parse_products(const std::vector<std::string>& args, long long& products) {
  std::string value;
  bool seen = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--products") {
      if (i + 1 < args.size()) value = args[++i];
      seen = true;
    } else if (args[i].starts_with("--products=")) {
      value = args[i].substr(std::string("--products=").size());
      seen = true;
    } else {
      std::fprintf(stderr, "seed-large: unexpected argument '%s'\n", args[i].c_str());
      return false;
    }
  }
  const char* end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, products);
  if (!seen || value.empty() || ec != std::errc() || ptr != end || products < 1 ||
      products > kMaxProducts) {
    std::fprintf(stderr, "seed-large: --products must be an integer from 1 to %lld\n",
                 kMaxProducts);
    return false;
  }
  return true;
}

}  // namespace

int seed(const common::Config& config, const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fprintf(stderr, "usage: ecommerce-server seed\n");
    return 2;
  }
  if (config.database_url.empty()) {
    std::fprintf(stderr, "seed: DATABASE_URL is not set\n");
    return 2;
  }
  try {
    const std::string sql = read_file(config.seed_file);
    pg::Connection db(db_options(config, {pg::Role::kSeed, pg::Role::kService}));
    pg::transaction(db, [&](pg::Connection& c) { c.command(sql.c_str(), pg::Effect::kWrite); });
    if (!seed_admin_account(config, db)) return 1;
    const pg::Result r = db.exec(kCounts, {});
    std::printf(
        "seeded from %s: %lld categories, %lld products, %lld variants, %lld users, %lld orders\n",
        config.seed_file.c_str(), static_cast<long long>(r.int64(0, 0)),
        static_cast<long long>(r.int64(0, 1)), static_cast<long long>(r.int64(0, 2)),
        static_cast<long long>(r.int64(0, 3)), static_cast<long long>(r.int64(0, 4)));
    return 0;
  } catch (const pg::DbError& e) {
    std::fprintf(stderr, "seed: %s\n", describe(e).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "seed: %s\n", e.what());
  }
  return 1;
}

int seed_large(const common::Config& config, const std::vector<std::string>& args) {
  long long products = 0;
  if (!parse_products(args, products)) {
    std::fprintf(stderr, "usage: ecommerce-server seed-large --products N\n");
    return 2;
  }
  if (config.database_url.empty()) {
    std::fprintf(stderr, "seed-large: DATABASE_URL is not set\n");
    return 2;
  }
  try {
    pg::Connection db(db_options(config, {pg::Role::kSeed}));
    const auto started = std::chrono::steady_clock::now();
    long long added_products = 0;
    long long added_variants = 0;
    for (long long first = 1; first <= products; first += kBatch) {
      const long long last = std::min(products, first + kBatch - 1);
      const pg::Params range{std::to_string(first), std::to_string(last)};
      const auto [p, v] = pg::transaction(db, [&](pg::Connection& c) {
        (void)c.exec(kLargeCategories, {});
        const int new_products = c.exec(kLargeProducts, range).affected();
        const int new_variants = c.exec(kLargeVariants, range).affected();
        return std::pair<int, int>(new_products, new_variants);
      });
      added_products += p;
      added_variants += v;
      std::printf("seed-large: %lld/%lld products (%.1f s)\n", last, products,
                  seconds_since(started));
      std::fflush(stdout);
    }
    db.command("ANALYZE categories, products, product_variants, inventory", pg::Effect::kWrite);
    std::printf(
        "seed-large: added %lld products and %lld variants in %.1f s (%lld already there)\n",
        added_products, added_variants, seconds_since(started), products - added_products);
    return 0;
  } catch (const pg::DbError& e) {
    std::fprintf(stderr, "seed-large: %s\n", describe(e).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "seed-large: %s\n", e.what());
  }
  return 1;
}

}  // namespace cli
