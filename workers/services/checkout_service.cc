#include "workers/services/checkout_service.h"

#include <algorithm>
#include <limits>
#include <map>
#include <vector>

#include "common/error.h"
#include "common/json.h"
#include "common/sha256.h"
#include "workers/repositories/address_repository.h"
#include "workers/repositories/cart_repository.h"
#include "workers/repositories/idempotency_repository.h"
#include "workers/repositories/order_repository.h"
#include "workers/repositories/order_stock_repository.h"
#include "workers/services/busy_retry.h"
#include "workers/services/catalog_cache.h"
#include "workers/services/order_service.h"
#include "workers/services/order_state.h"

namespace services {

using common::AppError;
using common::ErrorCode;
namespace pg = common::pg;

namespace {

constexpr size_t kMaxKeyLength = 255;

bool is_currency_code(const std::string& s) {
  return s.size() == 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// The answer stored under the key, or the refusal when the body differs.
CheckoutAnswer replay(pg::Connection& tx, int64_t user_id, const IdempotencyKey& key) {
  const auto stored = repo::find_key(tx, user_id, key.key);
  if (!stored || !stored->response_status || !stored->response_body) {
    // Only at the instant the key expires: the client's retry settles it.
    throw AppError(ErrorCode::kConflict,
                   "a request with this Idempotency-Key is being processed; retry");
  }
  if (stored->request_hash != key.request_hash) {
    throw AppError(ErrorCode::kIdempotencyKeyReused,
                   "this Idempotency-Key was used with a different request body");
  }
  return {common::json::parse_trusted(*stored->response_body), true};
}

// Step 2: the requested addresses must be the caller's.
void check_addresses(pg::Connection& tx, int64_t user_id, const CheckoutRequest& request) {
  std::vector<int64_t> ids;
  if (request.shipping_address_id) ids.push_back(*request.shipping_address_id);
  if (request.billing_address_id) ids.push_back(*request.billing_address_id);
  if (ids.empty()) return;
  const std::vector<int64_t> owned = repo::lock_owned_addresses(tx, user_id, ids);
  const auto is_owned = [&](int64_t id) {
    return std::find(owned.begin(), owned.end(), id) != owned.end();
  };
  common::FieldErrors errors;
  if (request.shipping_address_id && !is_owned(*request.shipping_address_id)) {
    errors.add("shipping_address_id", "is not one of your addresses");
  }
  if (request.billing_address_id && !is_owned(*request.billing_address_id)) {
    errors.add("billing_address_id", "is not one of your addresses");
  }
  errors.throw_if_any();
}

int64_t checked_total(const std::vector<repo::CartLine>& lines) {
  int64_t total = 0;
  for (const repo::CartLine& line : lines) {
    int64_t subtotal = 0;
    if (__builtin_mul_overflow(line.price_cents, line.quantity, &subtotal) ||
        __builtin_add_overflow(total, subtotal, &total)) {
      throw AppError(ErrorCode::kValidationError, "the order total is too large");
    }
  }
  return total;
}

// Steps 3 to 5, with the key (if any) already claimed.
Json::Value place_order(pg::Connection& tx, int64_t user_id, const CheckoutRequest& request) {
  const auto cart_id = repo::lock_existing_cart(tx, user_id);
  if (!cart_id) throw AppError(ErrorCode::kCartEmpty, "the cart is empty");
  const std::vector<repo::CartLine> lines = repo::cart_lines(tx, *cart_id);
  if (lines.empty()) throw AppError(ErrorCode::kCartEmpty, "the cart is empty");

  std::vector<int64_t> variant_ids;
  for (const repo::CartLine& line : lines) variant_ids.push_back(line.variant_id);
  std::sort(variant_ids.begin(), variant_ids.end());
  std::map<int64_t, int64_t> available;
  for (const repo::StockLevel& level : repo::lock_inventory(tx, variant_ids)) {
    available[level.variant_id] = level.available;
  }

  Json::Value short_lines(Json::objectValue);
  for (const repo::CartLine& line : lines) {
    const auto found = available.find(line.variant_id);
    const int64_t have = found == available.end() ? 0 : found->second;  // no inventory row: 0
    if (line.quantity > have) {
      short_lines[std::to_string(line.variant_id)] = static_cast<Json::Int64>(have);
    }
  }
  if (!short_lines.empty()) {
    throw AppError(ErrorCode::kInsufficientStock,
                   std::to_string(short_lines.size()) + " of the cart's lines exceed the stock",
                   short_lines);
  }

  const int64_t order_id =
      repo::insert_order(tx, {user_id, checked_total(lines), request.currency,
                              request.shipping_address_id, request.billing_address_id});
  std::vector<repo::NewOrderItem> items;
  std::vector<repo::StockMovement> movements;
  std::string ledger_kind;
  for (const repo::CartLine& line : lines) {
    items.push_back({line.variant_id, line.price_cents, line.quantity});
    const StockDeltas d = reservation(line.quantity);
    ledger_kind = d.ledger_kind;
    movements.push_back({line.variant_id, d.available, d.reserved, d.shipped});
  }
  std::sort(movements.begin(), movements.end(),
            [](const auto& a, const auto& b) { return a.variant_id < b.variant_id; });
  repo::insert_order_items(tx, order_id, items);
  repo::apply_stock_movements(tx, ledger_kind, movements, order_id, user_id, "checkout");
  repo::insert_order_event(tx, order_id, std::nullopt, "created", user_id);
  repo::clear_cart(tx, *cart_id);

  return written_order_json(tx, order_id);
}

}  // namespace

CheckoutRequest parse_checkout(const Json::Value& body) {
  common::FieldErrors errors;
  CheckoutRequest request;
  constexpr int64_t kMaxId = std::numeric_limits<int64_t>::max();
  request.shipping_address_id =
      common::json::get_int(body, "shipping_address_id", 1, kMaxId, errors);
  request.billing_address_id = common::json::get_int(body, "billing_address_id", 1, kMaxId, errors);
  if (auto currency = common::json::get_string(body, "currency", 3, 3, errors)) {
    if (is_currency_code(*currency)) {
      request.currency = *currency;
    } else {
      errors.add("currency", "must be 3 upper-case letters (ISO 4217), e.g. \"USD\"");
    }
  }
  errors.throw_if_any();
  return request;
}

bool is_valid_idempotency_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyLength) return false;
  return std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

std::optional<std::string> parse_idempotency_key(const std::optional<std::string>& header) {
  if (!header) return std::nullopt;
  if (!is_valid_idempotency_key(*header)) {
    Json::Value details(Json::objectValue);
    details["Idempotency-Key"] = "must be 1 to 255 printable ASCII characters";
    throw AppError(ErrorCode::kValidationError,
                   "Idempotency-Key must be 1 to 255 printable ASCII characters", details);
  }
  return header;
}

std::string checkout_request_hash(const Json::Value& body) {
  return common::sha256_hex(common::json::write(body));
}

CheckoutAnswer checkout(pg::Connection& db, int64_t user_id, const CheckoutRequest& request,
                        const std::optional<IdempotencyKey>& key, common::cache::Cache* cache,
                        const OrderJobSettings& jobs) {
  CheckoutAnswer answer = busy_retry_transaction(db, [&](pg::Connection& tx) -> CheckoutAnswer {
    if (key) {
      repo::purge_expired_keys(tx, user_id);
      if (!repo::claim_key(tx, user_id, key->key, key->request_hash)) {
        return replay(tx, user_id, *key);
      }
    }
    check_addresses(tx, user_id, request);
    Json::Value order = place_order(tx, user_id, request);
    enqueue_order_placed(tx, order["order_id"].asInt64(), jobs);
    if (key) {
      repo::complete_key(tx, user_id, key->key, common::json::write(order),
                         order["order_id"].asInt64());
    }
    return {std::move(order), false};
  });
  if (!answer.replayed) {
    wake_mail_runners(db, jobs);
    catalog_cache::order_changed(db, cache, answer.order);
  }
  return answer;
}

}  // namespace services
