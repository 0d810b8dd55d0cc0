// Catalogue writes for the admin routes: named SQL over categories, products,
// product_variants, inventory and the inventory_movements ledger. Errors from
// constraints propagate as pg::DbError (the service maps them by SQLSTATE and
// constraint name). The stock functions must run inside a transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/pg.h"
#include "workers/repositories/catalog_repository.h"

namespace repo {

// Throws kUniqueViolation ("categories_name_key").
Category insert_category(common::pg::Connection& db, const std::string& name);

// Returns the new id. Throws kUniqueViolation ("products_sku_key"),
// kForeignKeyViolation ("products_category_id_fkey").
int64_t insert_product(common::pg::Connection& db, const std::string& sku, const std::string& title,
                       const std::optional<std::string>& description,
                       const std::optional<int64_t>& category_id);

// Which columns a product update sets; a field is written only when its
// set_* flag is true (a nullopt value then stores NULL).
struct ProductChanges {
  bool set_title = false;
  std::string title;
  bool set_description = false;
  std::optional<std::string> description;
  bool set_category = false;
  std::optional<int64_t> category_id;
};
// False when there is no such product. Throws kForeignKeyViolation for an unknown category.
[[nodiscard]] bool update_product(common::pg::Connection& db, int64_t id,
                                  const ProductChanges& changes);

// True when the product exists; holds a KEY SHARE lock on it until the
// transaction ends, so that it cannot be deleted meanwhile.
[[nodiscard]] bool lock_product_key(common::pg::Connection& db, int64_t id);

// Inserts the variant and its inventory row (available = `available`,
// reserved 0); returns the variant id. Throws kUniqueViolation
// ("product_variants_sku_key"), kForeignKeyViolation for an unknown product.
int64_t insert_variant(common::pg::Connection& db, int64_t product_id, const std::string& sku,
                       int64_t price_cents, const std::string& attributes_json, int available);

struct VariantChanges {
  std::optional<int64_t> price_cents;          // nullopt: unchanged
  std::optional<std::string> attributes_json;  // nullopt: unchanged
};
// False when there is no such variant.
[[nodiscard]] bool update_variant(common::pg::Connection& db, int64_t id,
                                  const VariantChanges& changes);

// The variant as the product detail shows it, or nullopt.
[[nodiscard]] std::optional<Variant> find_variant(common::pg::Connection& db, int64_t id);

struct StockLevel {
  int64_t available;
  int64_t reserved;
};
// The variant's inventory row, locked FOR UPDATE (made with zero stock first
// if the variant has none), or nullopt when there is no such variant.
[[nodiscard]] std::optional<StockLevel> lock_stock(common::pg::Connection& db, int64_t variant_id);

// available += delta. The caller has checked the result stays in range.
void add_available(common::pg::Connection& db, int64_t variant_id, int64_t delta);

// One ledger row (inventory_movements). `kind` is one of initial, restock,
// write_off, reserve, release, ship.
struct Movement {
  int64_t variant_id = 0;
  std::string kind;
  int64_t available_delta = 0;
  int64_t reserved_delta = 0;
  std::optional<std::string> reason;
  std::optional<int64_t> actor_user_id;
  std::optional<int64_t> order_id;
};
void insert_movement(common::pg::Connection& db, const Movement& movement);

}  // namespace repo
