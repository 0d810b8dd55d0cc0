#include "workers/services/order_state.h"

#include <array>

namespace services {

namespace {

constexpr std::array<Transition, 4> kTransitions{{
    {OrderAction::kPay, "created", "paid", ActionActor::kOwner, StockEffect::kNone},
    {OrderAction::kCancel, "created", "cancelled", ActionActor::kOwner, StockEffect::kRelease},
    {OrderAction::kShip, "paid", "shipped", ActionActor::kAdmin, StockEffect::kShip},
    {OrderAction::kRefund, "paid", "refunded", ActionActor::kAdmin, StockEffect::kRelease},
}};

constexpr std::array<std::string_view, 5> kStatuses{"created", "paid", "shipped", "refunded",
                                                    "cancelled"};

}  // namespace

std::span<const Transition> transitions() { return kTransitions; }

const Transition& transition_of(OrderAction action) {
  for (const Transition& t : kTransitions) {
    if (t.action == action) return t;
  }
  // Unreachable: the table covers every enumerator (tests/unit check it).
  return kTransitions.front();
}

std::optional<std::string_view> next_status(OrderAction action, std::string_view from) {
  for (const Transition& t : kTransitions) {
    if (t.action == action && t.from == from) return t.to;
  }
  return std::nullopt;
}

StockDeltas reservation(int64_t quantity) { return {"reserve", -quantity, quantity, 0}; }

std::optional<StockDeltas> effect_deltas(StockEffect effect, int64_t quantity) {
  switch (effect) {
    case StockEffect::kNone:
      return std::nullopt;
    case StockEffect::kRelease:
      return StockDeltas{"release", quantity, -quantity, 0};
    case StockEffect::kShip:
      return StockDeltas{"ship", 0, -quantity, quantity};
  }
  return std::nullopt;
}

std::string_view action_name(OrderAction action) {
  switch (action) {
    case OrderAction::kPay:
      return "pay";
    case OrderAction::kCancel:
      return "cancel";
    case OrderAction::kShip:
      return "ship";
    case OrderAction::kRefund:
      return "refund";
  }
  return "unknown";
}

bool is_order_status(std::string_view status) {
  for (const std::string_view s : kStatuses) {
    if (s == status) return true;
  }
  return false;
}

}  // namespace services
