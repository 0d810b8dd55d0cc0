// Order use cases (API.md "Orders"): the list and the detail of the caller's
// orders, the state transitions (pay, cancel by the owner; ship, refund by an
// admin), and the order's JSON, which checkout answers with too. No HTTP.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/cache.h"
#include "common/pg.h"
#include "workers/repositories/order_repository.h"
#include "workers/services/order_outbox.h"
#include "workers/services/order_state.h"

namespace services {

struct OrderListRequest {
  std::optional<int64_t> after;  // the cursor: orders with a smaller id
  int limit = 20;                // 1..100
};

// {payment_reference: 1..255 characters}, required. Throws AppError(kValidationError).
std::string parse_payment_reference(const Json::Value& body);

// The order as checkout and every order endpoint answer it:
// {order_id, status, total_cents, currency, item_count (lines), items:
// [{order_item_id, variant_id, variant_sku, product_title, product_sku,
// attributes, unit_price_cents, quantity, subtotal_cents}], created_at,
// updated_at, shipping_address_id, billing_address_id, payment_reference,
// events: [{from_status, to_status, actor ("customer"|"admin"|"system"),
// reason (null, or why the system moved it), created_at}]}.
Json::Value order_json(const repo::OrderDetail& order);

// order_json of an order this transaction just wrote (so it exists). Throws
// AppError(kInternal) when it does not.
Json::Value written_order_json(common::pg::Connection& db, int64_t order_id);

// {"items": [{order_id, status, total_cents, currency, item_count, created_at}],
// "pagination": {cursor, has_more, count, limit}} from up to limit + 1 rows.
Json::Value order_page_json(const std::vector<repo::OrderSummary>& rows, int limit);

Json::Value list_orders(common::pg::Connection& db, int64_t user_id,
                        const OrderListRequest& request);

// Throws AppError(kNotFound) when there is no such order or it is another user's.
Json::Value get_order(common::pg::Connection& db, int64_t user_id, int64_t order_id);

struct ActionRequest {
  OrderAction action;
  int64_t order_id;
  int64_t actor_user_id;  // the caller; for owner actions also the required owner
  std::optional<std::string> payment_reference;  // pay only
};

// Applies one transition in one transaction: the guarded status UPDATE, the
// stock movement of its lines with their ledger rows (locks in variant id
// order), and an order_events row; answers the order afterwards. Owner
// actions (pay, cancel) only find the caller's orders; admin actions (ship,
// refund; the route checks the role) find any. Throws AppError: kNotFound,
// kInvalidState (details {"status": current}) when the order is in a status
// the action does not leave. Two concurrent identical actions move the order
// (and its stock) once; the other gets kInvalidState. After the commit, an
// action that moved stock invalidates the catalogue answers of the order's
// products (catalog_cache.h; `cache` may be nullptr). Shipping enqueues the
// order's shipping notice in the same transaction and wakes the email runners
// after its commit (order_outbox.h).
Json::Value apply_action(common::pg::Connection& db, const ActionRequest& request,
                         common::cache::Cache* cache,
                         const OrderJobSettings& jobs = OrderJobSettings{});

// What expire_unpaid_order() found.
enum class ExpiryOutcome {
  kExpired,  // it was still created: now cancelled, units back, event recorded
  kSettled,  // paid, cancelled, ... already: nothing changed
  kNoSuchOrder,
};

// The expiry of an unpaid order (the order.expire job), in one transaction:
// the guarded UPDATE created -> cancelled (so it races a payment safely:
// exactly one of the two moves the order), the reserved units back to
// available (ledger kind "release", no actor), and an event with no actor
// (shown as "system") and reason "payment_timeout". After the commit the
// catalogue answers of the order's products are invalidated. Idempotent: a
// second call finds the order settled.
ExpiryOutcome expire_unpaid_order(common::pg::Connection& db, int64_t order_id,
                                  common::cache::Cache* cache);

// The reason recorded on the event of an order the system expired.
inline constexpr const char* kPaymentTimeoutReason = "payment_timeout";

}  // namespace services
