// Cart use cases (API.md "Cart"): request validation, the changes (each one
// transaction that starts by locking the caller's cart), and the cart's JSON.
// Every call answers with the whole cart, priced at the current prices. The
// cart is created empty on first use. No HTTP here.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <vector>

#include "common/pg.h"
#include "workers/repositories/cart_repository.h"

namespace services {

// Units of one variant a cart line may hold.
inline constexpr int64_t kMaxLineQuantity = 99;

struct AddItemRequest {
  int64_t variant_id;
  int64_t quantity;  // 1..kMaxLineQuantity
};

// {variant_id: positive integer, quantity: 1..99}, both required. Throws
// AppError(kValidationError) naming every bad field.
AddItemRequest parse_add_item(const Json::Value& body);

// {quantity: 0..99}, required; 0 removes the line. Throws AppError(kValidationError).
int64_t parse_quantity_update(const Json::Value& body);

// {cart_id, user_id, items: [{cart_item_id, variant_id, variant_sku, product_id,
// product_sku, product_title, price_cents, quantity, line_total_cents}],
// total_items (lines), total_quantity, total_cents, is_empty}.
Json::Value cart_json(int64_t cart_id, int64_t user_id, const std::vector<repo::CartLine>& lines);

Json::Value get_cart(common::pg::Connection& db, int64_t user_id);

// Adds to the line of the variant (creating it). Throws AppError: kNotFound
// (unknown variant), kValidationError (the line would exceed 99 units),
// kInsufficientStock with details {"<variant_id>": available} (the line would
// exceed the available units). Nothing changes on failure.
Json::Value add_item(common::pg::Connection& db, int64_t user_id, const AddItemRequest& request);

// Sets a line's quantity (0 removes it). Throws AppError: kNotFound (not a
// line of the caller's cart), kInsufficientStock (raising the line above the
// available units; lowering is always allowed).
Json::Value update_item(common::pg::Connection& db, int64_t user_id, int64_t cart_item_id,
                        int64_t quantity);

// Removes a line. Throws AppError(kNotFound) when it is not in the caller's cart.
Json::Value remove_item(common::pg::Connection& db, int64_t user_id, int64_t cart_item_id);

}  // namespace services
