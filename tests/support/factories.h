// Factory-Boy-like builders for integration tests: each inserts one row with
// sensible, unique defaults and returns its id; a test sets only the fields
// that matter to it, e.g.
//
//   const int64_t product = make_product(db, {.title = "Blue Mug"});
//   const int64_t variant = make_variant(db, product, {.price_cents = 999, .available = 3});
//
// Defaults are unique per process run (a counter plus the pid). Errors from
// the database propagate as pg::DbError, so a test can also provoke them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/pg.h"

namespace test_support {

struct CategorySpec {
  std::optional<std::string> name{};  // default "Category <unique>"
};
int64_t make_category(common::pg::Connection& db, const CategorySpec& spec = {});

struct ProductSpec {
  std::optional<std::string> sku{};          // default "SKU-<unique>"
  std::optional<std::string> title{};        // default "Product <unique>"
  std::optional<std::string> description{};  // default NULL
  std::optional<int64_t> category_id{};      // default NULL (no category)
};
int64_t make_product(common::pg::Connection& db, const ProductSpec& spec = {});

struct VariantSpec {
  std::optional<std::string> sku{};  // default "SKU-<unique>-V"
  int64_t price_cents = 1000;
  std::string attributes_json = "{}";
  int available = 10;
  int reserved = 0;
};
// Inserts the variant and its inventory row.
int64_t make_variant(common::pg::Connection& db, int64_t product_id, const VariantSpec& spec = {});

struct UserSpec {
  std::optional<std::string> email{};            // default "user-<unique>@example.test"
  std::optional<std::string> hashed_password{};  // default NULL
};
int64_t make_user(common::pg::Connection& db, const UserSpec& spec = {});

// "<pid>-<n>", different at every call in this process.
std::string unique_suffix();

}  // namespace test_support
