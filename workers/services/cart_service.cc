#include "workers/services/cart_service.h"

#include <limits>
#include <string>

#include "common/error.h"
#include "common/json.h"
#include "workers/services/busy_retry.h"

namespace services {

using common::AppError;
using common::ErrorCode;

namespace {

constexpr int64_t kMaxId = std::numeric_limits<int64_t>::max();

Json::Value stock_details(int64_t variant_id, int64_t available) {
  Json::Value details(Json::objectValue);
  details[std::to_string(variant_id)] = static_cast<Json::Int64>(available);
  return details;
}

Json::Value cart_of(common::pg::Connection& db, int64_t cart_id, int64_t user_id) {
  return cart_json(cart_id, user_id, repo::cart_lines(db, cart_id));
}

}  // namespace

AddItemRequest parse_add_item(const Json::Value& body) {
  common::FieldErrors errors;
  const auto variant_id = common::json::get_int(body, "variant_id", 1, kMaxId, errors);
  const auto quantity = common::json::get_int(body, "quantity", 1, kMaxLineQuantity, errors);
  // A field already reported as malformed keeps that problem (FieldErrors keeps the first).
  if (!variant_id) errors.add("variant_id", "is required");
  if (!quantity) errors.add("quantity", "is required");
  errors.throw_if_any();
  return {*variant_id, *quantity};
}

int64_t parse_quantity_update(const Json::Value& body) {
  common::FieldErrors errors;
  const auto quantity = common::json::get_int(body, "quantity", 0, kMaxLineQuantity, errors);
  if (!quantity) errors.add("quantity", "is required");
  errors.throw_if_any();
  return *quantity;
}

Json::Value cart_json(int64_t cart_id, int64_t user_id, const std::vector<repo::CartLine>& lines) {
  Json::Value out(Json::objectValue);
  out["cart_id"] = static_cast<Json::Int64>(cart_id);
  out["user_id"] = static_cast<Json::Int64>(user_id);
  Json::Value& items = out["items"] = Json::Value(Json::arrayValue);
  int64_t total_quantity = 0;
  int64_t total_cents = 0;
  for (const repo::CartLine& line : lines) {
    int64_t line_total = 0;
    if (__builtin_mul_overflow(line.price_cents, line.quantity, &line_total) ||
        __builtin_add_overflow(total_cents, line_total, &total_cents)) {
      throw AppError(ErrorCode::kInternal, "internal error", Json::Value(),
                     "cart " + std::to_string(cart_id) + " total overflows int64");
    }
    total_quantity += line.quantity;
    Json::Value item(Json::objectValue);
    item["cart_item_id"] = static_cast<Json::Int64>(line.cart_item_id);
    item["variant_id"] = static_cast<Json::Int64>(line.variant_id);
    item["variant_sku"] = line.variant_sku;
    item["product_id"] = static_cast<Json::Int64>(line.product_id);
    item["product_sku"] = line.product_sku;
    item["product_title"] = line.product_title;
    item["price_cents"] = static_cast<Json::Int64>(line.price_cents);
    item["quantity"] = static_cast<Json::Int64>(line.quantity);
    item["line_total_cents"] = static_cast<Json::Int64>(line_total);
    items.append(std::move(item));
  }
  out["total_items"] = static_cast<Json::Int64>(lines.size());
  out["total_quantity"] = static_cast<Json::Int64>(total_quantity);
  out["total_cents"] = static_cast<Json::Int64>(total_cents);
  out["is_empty"] = lines.empty();
  return out;
}

Json::Value get_cart(common::pg::Connection& db, int64_t user_id) {
  return cart_of(db, repo::find_or_create_cart(db, user_id), user_id);
}

Json::Value add_item(common::pg::Connection& db, int64_t user_id, const AddItemRequest& request) {
  return busy_retry_transaction(db, [&](common::pg::Connection& tx) {
    const int64_t cart_id = repo::lock_cart(tx, user_id);
    const repo::AddResult added =
        repo::add_to_line(tx, cart_id, request.variant_id, request.quantity, kMaxLineQuantity);
    switch (added.outcome) {
      case repo::AddOutcome::kAdded:
        break;
      case repo::AddOutcome::kNoSuchVariant:
        throw AppError(ErrorCode::kNotFound, "variant not found");
      case repo::AddOutcome::kOverLineLimit: {
        Json::Value details(Json::objectValue);
        details["quantity"] = "the line would hold " +
                              std::to_string(added.line_quantity + request.quantity) +
                              " units; at most " + std::to_string(kMaxLineQuantity) + " allowed";
        throw AppError(
            ErrorCode::kValidationError,
            "quantity would exceed " + std::to_string(kMaxLineQuantity) + " units in one cart line",
            details);
      }
      case repo::AddOutcome::kOverStock:
        throw AppError(ErrorCode::kInsufficientStock,
                       "only " + std::to_string(added.available) + " units of variant " +
                           std::to_string(request.variant_id) + " are available",
                       stock_details(request.variant_id, added.available));
    }
    return cart_of(tx, cart_id, user_id);
  });
}

Json::Value update_item(common::pg::Connection& db, int64_t user_id, int64_t cart_item_id,
                        int64_t quantity) {
  if (quantity == 0) return remove_item(db, user_id, cart_item_id);
  return busy_retry_transaction(db, [&](common::pg::Connection& tx) {
    const int64_t cart_id = repo::lock_cart(tx, user_id);
    const repo::SetResult set = repo::set_line_quantity(tx, cart_id, cart_item_id, quantity);
    switch (set.outcome) {
      case repo::SetOutcome::kSet:
        break;
      case repo::SetOutcome::kNoSuchLine:
        throw AppError(ErrorCode::kNotFound, "cart item not found");
      case repo::SetOutcome::kOverStock:
        throw AppError(ErrorCode::kInsufficientStock,
                       "only " + std::to_string(set.available) + " units of variant " +
                           std::to_string(set.variant_id) + " are available",
                       stock_details(set.variant_id, set.available));
    }
    return cart_of(tx, cart_id, user_id);
  });
}

Json::Value remove_item(common::pg::Connection& db, int64_t user_id, int64_t cart_item_id) {
  return busy_retry_transaction(db, [&](common::pg::Connection& tx) {
    const int64_t cart_id = repo::lock_cart(tx, user_id);
    if (!repo::delete_line(tx, cart_id, cart_item_id)) {
      throw AppError(ErrorCode::kNotFound, "cart item not found");
    }
    return cart_of(tx, cart_id, user_id);
  });
}

}  // namespace services
