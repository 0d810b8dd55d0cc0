#include "tests/support/factories.h"

#include <unistd.h>

#include <atomic>

#include "common/pg_params.h"

namespace test_support {

namespace pg = common::pg;

namespace {

const pg::Statement kMakeCategory{"test.make_category", pg::Role::kTest, pg::Effect::kWrite,
                                  "INSERT INTO categories (name) VALUES ($1) RETURNING id"};

const pg::Statement kMakeProduct{"test.make_product", pg::Role::kTest, pg::Effect::kWrite, R"SQL(
INSERT INTO products (sku, title, description, category_id)
VALUES ($1, $2, $3, $4::bigint)
RETURNING id
)SQL"};

const pg::Statement kMakeVariant{"test.make_variant", pg::Role::kTest, pg::Effect::kWrite, R"SQL(
WITH variant AS (
  INSERT INTO product_variants (sku, product_id, price_cents, attributes)
  VALUES ($1, $2::bigint, $3::bigint, $4::jsonb)
  RETURNING id
)
INSERT INTO inventory (variant_id, available, reserved)
SELECT id, $5::integer, $6::integer FROM variant
RETURNING variant_id
)SQL"};

const pg::Statement kMakeUser{"test.make_user", pg::Role::kTest, pg::Effect::kWrite, R"SQL(
INSERT INTO users (email, hashed_password) VALUES ($1, $2) RETURNING id
)SQL"};

}  // namespace

std::string unique_suffix() {
  static std::atomic<int64_t> counter{0};
  return std::to_string(getpid()) + "-" + std::to_string(++counter);
}

int64_t make_category(pg::Connection& db, const CategorySpec& spec) {
  const std::string name = spec.name.value_or("Category " + unique_suffix());
  return db.exec(kMakeCategory, {name}).int64(0, 0);
}

int64_t make_product(pg::Connection& db, const ProductSpec& spec) {
  const std::string unique = unique_suffix();
  return db
      .exec(kMakeProduct,
            {spec.sku.value_or("SKU-" + unique), spec.title.value_or("Product " + unique),
             spec.description, pg::opt_num(spec.category_id)})
      .int64(0, 0);
}

int64_t make_variant(pg::Connection& db, int64_t product_id, const VariantSpec& spec) {
  return db
      .exec(kMakeVariant,
            {spec.sku.value_or("SKU-" + unique_suffix() + "-V"), std::to_string(product_id),
             std::to_string(spec.price_cents), spec.attributes_json, std::to_string(spec.available),
             std::to_string(spec.reserved)})
      .int64(0, 0);
}

int64_t make_user(pg::Connection& db, const UserSpec& spec) {
  return db
      .exec(kMakeUser, {spec.email.value_or("user-" + unique_suffix() + "@example.test"),
                        spec.hashed_password})
      .int64(0, 0);
}

}  // namespace test_support
