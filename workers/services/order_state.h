// The order state machine of API.md "Orders" as a pure transition table:
//
//   created -pay-> paid -ship-> shipped
//   created -cancel-> cancelled
//   paid -refund-> refunded
//
// Each action leaves exactly one status, so the guarded UPDATE
// (`... WHERE status = ANY(allowed_from)`) that applies it also says which
// status the order left. No I/O here; the order service applies the table.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace services {

enum class OrderAction { kPay, kCancel, kShip, kRefund };

// Who may ask for an action: the order's owner (pay, cancel) or an admin
// (ship, refund, on any user's order).
enum class ActionActor { kOwner, kAdmin };

// What an action does to the stock of the order's lines.
enum class StockEffect {
  kNone,     // pay
  kRelease,  // cancel, refund: reserved -> available (ledger kind "release")
  kShip,     // ship: reserved -> shipped (ledger kind "ship")
};

struct Transition {
  OrderAction action;
  std::string_view from;
  std::string_view to;
  ActionActor actor;
  StockEffect effect;
};

// Every transition, one per action.
std::span<const Transition> transitions();

// The transition of `action` (always exists).
const Transition& transition_of(OrderAction action);

// The status `action` moves an order in status `from` to, or nullopt when the
// action is not allowed from there (409 INVALID_STATE).
std::optional<std::string_view> next_status(OrderAction action, std::string_view from);

// How a stock movement changes one variant: the ledger kind and the deltas of
// available, reserved and shipped (the ledger records the first two).
struct StockDeltas {
  std::string_view ledger_kind;
  int64_t available;
  int64_t reserved;
  int64_t shipped;
};

// Checkout reserving `quantity` units: available -q, reserved +q ("reserve").
StockDeltas reservation(int64_t quantity);

// What `effect` does to `quantity` reserved units of an order line: release
// (available +q, reserved -q) or ship (reserved -q, shipped +q); nullopt for kNone.
std::optional<StockDeltas> effect_deltas(StockEffect effect, int64_t quantity);

// "pay", "cancel", "ship", "refund".
std::string_view action_name(OrderAction action);

// True for the five statuses of the orders_status_check constraint.
bool is_order_status(std::string_view status);

}  // namespace services
