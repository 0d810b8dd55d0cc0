// Carts and their lines: named SQL only, rows out as plain structs. No HTTP,
// no business rules beyond the guards that must hold inside one statement.
//
// Concurrency: every change of a cart starts with lock_cart(), which creates
// the cart if needed and holds its row lock until the transaction ends, so
// changes to one cart (and a checkout of it) run one after the other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.h"

namespace repo {

// A cart line with the variant's current price.
struct CartLine {
  int64_t cart_item_id;
  int64_t variant_id;
  std::string variant_sku;
  int64_t product_id;
  std::string product_sku;
  std::string product_title;
  int64_t price_cents;
  int64_t quantity;
};

// The id of the user's cart, creating it empty when the user has none. Takes
// no lock; safe against a concurrent creation.
int64_t find_or_create_cart(common::pg::Connection& db, int64_t user_id);

// Inside a transaction: the id of the user's cart, created when missing, with
// its row locked (and updated_at bumped) until the transaction ends.
int64_t lock_cart(common::pg::Connection& db, int64_t user_id);

// Inside a transaction: the id of the user's cart locked FOR UPDATE, or
// nullopt when the user never had one. Creates nothing.
[[nodiscard]] std::optional<int64_t> lock_existing_cart(common::pg::Connection& db,
                                                        int64_t user_id);

// The cart's lines by cart_item_id, priced at the variants' current prices.
std::vector<CartLine> cart_lines(common::pg::Connection& db, int64_t cart_id);

enum class AddOutcome {
  kAdded,          // the line exists with its quantity raised (or was created)
  kNoSuchVariant,  // nothing written
  kOverLineLimit,  // the line would exceed max_line; nothing written
  kOverStock,      // the line would exceed the variant's available units; nothing written
};

struct AddResult {
  AddOutcome outcome;
  int64_t line_quantity;  // the line's quantity after (kAdded) or before the call
  int64_t available;      // the variant's available units (0 without an inventory row)
};

// Adds `quantity` units of a variant to the cart as one guarded upsert
// (INSERT ... ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity =
// quantity + excluded.quantity WHERE the new total is <= max_line and <= the
// variant's available units), so concurrent adds are never lost and the
// limits hold without a read-modify-write race. Requires quantity >= 1.
AddResult add_to_line(common::pg::Connection& db, int64_t cart_id, int64_t variant_id,
                      int64_t quantity, int64_t max_line);

enum class SetOutcome { kSet, kNoSuchLine, kOverStock };

struct SetResult {
  SetOutcome outcome;
  int64_t variant_id;  // for kOverStock
  int64_t available;   // for kOverStock
};

// Sets a line of this cart to `quantity` (>= 1). Raising a line above the
// variant's available units is refused (kOverStock); lowering one is always
// allowed. kNoSuchLine when the line is not in this cart.
SetResult set_line_quantity(common::pg::Connection& db, int64_t cart_id, int64_t cart_item_id,
                            int64_t quantity);

// Deletes a line of this cart; false when it is not in this cart.
[[nodiscard]] bool delete_line(common::pg::Connection& db, int64_t cart_id, int64_t cart_item_id);

// Deletes every line of the cart (checkout).
void clear_cart(common::pg::Connection& db, int64_t cart_id);

}  // namespace repo
