// Checkout (API.md "Orders", POST /api/v1/orders/checkout): the caller's cart
// becomes an order in one transaction, optionally under an Idempotency-Key.
// No HTTP here; the handler passes the parsed body and the header's value,
// and picks the status and headers of the answer.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/cache.h"
#include "common/pg.h"
#include "workers/services/order_outbox.h"

namespace services {

struct CheckoutRequest {
  std::optional<int64_t> shipping_address_id{};
  std::optional<int64_t> billing_address_id{};
  std::string currency = "USD";
};

// {shipping_address_id?, billing_address_id?, currency? (3 upper-case
// letters, default "USD")}; an empty body is {}. Throws
// AppError(kValidationError) naming every bad field.
CheckoutRequest parse_checkout(const Json::Value& body);

// An Idempotency-Key header value: 1..255 printable ASCII characters (0x20..0x7E).
bool is_valid_idempotency_key(std::string_view key);

// The header's value when present and valid, nullopt when absent. Throws
// AppError(kValidationError, details {"Idempotency-Key": ...}) when invalid.
std::optional<std::string> parse_idempotency_key(const std::optional<std::string>& header);

// SHA-256 (lower-case hex) of the body's canonical JSON (keys sorted, no
// insignificant whitespace), so that a retry that serialises the same body
// differently is still "the same body" and any changed value is not.
std::string checkout_request_hash(const Json::Value& body);

struct IdempotencyKey {
  std::string key;
  std::string request_hash;  // checkout_request_hash(body)
};

struct CheckoutAnswer {
  Json::Value order;  // services::order_json of the order
  // false: this call created the order. true: an earlier request with this
  // key created it, and `order` is the answer stored then.
  bool replayed = false;
};

// One transaction (retried on deadlock or serialization failure, then 503):
//   1. with a key: claim (user_id, key); when an earlier request committed it,
//      answer its stored response (replayed) when the body hash matches, else
//      throw kIdempotencyKeyReused; a concurrent request with the key waits
//      for that one to end (then replays it, or runs itself when it failed);
//   2. the addresses must be the caller's (else kValidationError naming the
//      field; unknown and foreign ids get the same answer);
//   3. lock the cart (kCartEmpty when there is none or it has no line) and
//      the inventory rows of its variants, FOR UPDATE in variant id order;
//   4. every line short of stock -> kInsufficientStock, details
//      {"<variant_id>": available, ...} for all of them;
//   5. create the order and its items at the current prices, move the units
//      from available to reserved (ledger kind "reserve"), append the
//      "created" event, empty the cart, store the answer under the key;
//   6. enqueue the order's confirmation mail and its expiry (order_outbox.h;
//      nothing with `jobs.enabled` false).
// Any exception rolls everything back, the key's claim included. After the
// commit (not for a replay), the email runners are woken (order_outbox.h) and
// the catalogue answers of the ordered products are invalidated
// (catalog_cache.h; `cache` may be nullptr).
[[nodiscard]] CheckoutAnswer checkout(common::pg::Connection& db, int64_t user_id,
                                      const CheckoutRequest& request,
                                      const std::optional<IdempotencyKey>& key,
                                      common::cache::Cache* cache,
                                      const OrderJobSettings& jobs = OrderJobSettings{});

}  // namespace services
