// Orders, their items and their history (order_events): named SQL only, rows
// out as plain structs. Stock movements live in order_stock_repository.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.h"

namespace repo {

struct OrderRow {
  int64_t id;
  int64_t user_id;
  std::string status;
  int64_t total_cents;
  std::string currency;
  std::optional<int64_t> shipping_address_id;
  std::optional<int64_t> billing_address_id;
  std::optional<std::string> payment_reference;  // orders.payment_provider_id
  std::string created_at;                        // RFC 3339
  std::string updated_at;                        // RFC 3339
};

// An order line: the price paid (snapshot at checkout) and what the variant is
// now called. The descriptive fields are nullopt once the variant is deleted.
struct OrderItemRow {
  int64_t id;
  std::optional<int64_t> variant_id;
  std::optional<std::string> variant_sku;
  std::optional<std::string> product_sku;
  std::optional<std::string> product_title;
  std::string attributes_json;  // "{}" once the variant is deleted
  int64_t unit_price_cents;
  int64_t quantity;
  int64_t subtotal_cents;
};

struct OrderEventRow {
  int64_t id;
  std::optional<std::string> from_status;  // nullopt for the creation
  std::string to_status;
  std::optional<int64_t> actor_user_id;  // nullopt: the system (or a deleted account)
  std::optional<std::string> reason;     // set by the system, e.g. "payment_timeout"
  std::string created_at;                // RFC 3339
};

struct OrderDetail {
  OrderRow order;
  std::vector<OrderItemRow> items;    // by id
  std::vector<OrderEventRow> events;  // oldest first
};

struct OrderSummary {
  int64_t id;
  std::string status;
  int64_t total_cents;
  std::string currency;
  int64_t item_count;  // number of lines
  std::string created_at;
};

// The order with items and events; nullopt when there is none or, with an
// owner given, when it belongs to another user.
[[nodiscard]] std::optional<OrderDetail> find_order(common::pg::Connection& db, int64_t order_id,
                                                    std::optional<int64_t> owner_id);

// The user's orders with id < before_id (all when nullopt), newest first, at
// most `fetch` rows (callers ask for one more than a page to learn has_more).
std::vector<OrderSummary> list_orders(common::pg::Connection& db, int64_t user_id,
                                      std::optional<int64_t> before_id, int fetch);

struct NewOrder {
  int64_t user_id;
  int64_t total_cents;
  std::string currency;
  std::optional<int64_t> shipping_address_id;
  std::optional<int64_t> billing_address_id;
};

struct NewOrderItem {
  int64_t variant_id;
  int64_t unit_price_cents;
  int64_t quantity;
};

// Inserts the order (status "created") and returns its id.
int64_t insert_order(common::pg::Connection& db, const NewOrder& order);

// Inserts the order's items in one statement, in the given order.
void insert_order_items(common::pg::Connection& db, int64_t order_id,
                        const std::vector<NewOrderItem>& items);

// Appends a row to the order's history. `reason` says why the system moved
// the order (nullopt for a person's action).
void insert_order_event(common::pg::Connection& db, int64_t order_id,
                        std::optional<std::string> from_status, const std::string& to_status,
                        std::optional<int64_t> actor_user_id,
                        std::optional<std::string> reason = std::nullopt);

// The guarded transition: one UPDATE of the order's status to `to_status`
// WHERE id = order_id (AND user_id = owner_id when given) AND status =
// ANY(allowed_from). `payment_reference`, when given, is stored as
// payment_provider_id. True when the order moved; false leaves it untouched
// (no such order, not the owner's, or in another status). Concurrent calls
// for one order move it at most once.
[[nodiscard]] bool transition_order(common::pg::Connection& db, int64_t order_id,
                                    std::optional<int64_t> owner_id,
                                    const std::vector<std::string>& allowed_from,
                                    const std::string& to_status,
                                    const std::optional<std::string>& payment_reference);

// The order's status (as this transaction sees it), or nullopt when there is
// no such order or, with an owner given, it is another user's.
[[nodiscard]] std::optional<std::string> order_status(common::pg::Connection& db, int64_t order_id,
                                                      std::optional<int64_t> owner_id);

}  // namespace repo
