// The order state machine as a table (API.md "Orders"), and the stock each
// transition moves.
#include "workers/services/order_state.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

using services::ActionActor;
using services::OrderAction;
using services::StockEffect;

namespace {

constexpr OrderAction kActions[] = {OrderAction::kPay, OrderAction::kCancel, OrderAction::kShip,
                                    OrderAction::kRefund};
constexpr const char* kStatuses[] = {"created", "paid", "shipped", "refunded", "cancelled"};

}  // namespace

TEST_CASE("every action is allowed from exactly the statuses API.md names", "[unit][orders]") {
  struct Case {
    OrderAction action;
    const char* from;
    const char* to;  // nullptr: 409 INVALID_STATE
  };
  const Case cases[] = {
      {OrderAction::kPay, "created", "paid"},      {OrderAction::kPay, "paid", nullptr},
      {OrderAction::kPay, "shipped", nullptr},     {OrderAction::kPay, "refunded", nullptr},
      {OrderAction::kPay, "cancelled", nullptr},   {OrderAction::kCancel, "created", "cancelled"},
      {OrderAction::kCancel, "paid", nullptr},     {OrderAction::kCancel, "shipped", nullptr},
      {OrderAction::kCancel, "refunded", nullptr}, {OrderAction::kCancel, "cancelled", nullptr},
      {OrderAction::kShip, "created", nullptr},    {OrderAction::kShip, "paid", "shipped"},
      {OrderAction::kShip, "shipped", nullptr},    {OrderAction::kShip, "refunded", nullptr},
      {OrderAction::kShip, "cancelled", nullptr},  {OrderAction::kRefund, "created", nullptr},
      {OrderAction::kRefund, "paid", "refunded"},  {OrderAction::kRefund, "shipped", nullptr},
      {OrderAction::kRefund, "refunded", nullptr}, {OrderAction::kRefund, "cancelled", nullptr},
  };
  for (const Case& c : cases) {
    INFO(services::action_name(c.action) << " from " << c.from);
    const auto next = services::next_status(c.action, c.from);
    if (c.to == nullptr) {
      CHECK_FALSE(next.has_value());
    } else {
      REQUIRE(next.has_value());
      CHECK(*next == c.to);
    }
  }
  CHECK_FALSE(services::next_status(OrderAction::kPay, "unknown").has_value());
}

TEST_CASE("the table has one transition per action, between real statuses", "[unit][orders]") {
  std::set<OrderAction> seen;
  for (const auto& t : services::transitions()) {
    CHECK(seen.insert(t.action).second);  // the guard identifies the status left
    CHECK(services::is_order_status(t.from));
    CHECK(services::is_order_status(t.to));
    CHECK(&services::transition_of(t.action) == &t);
  }
  CHECK(seen.size() == std::size(kActions));
  for (const char* status : kStatuses) CHECK(services::is_order_status(status));
  CHECK_FALSE(services::is_order_status("deleted"));
  // Terminal states: nothing leaves them.
  for (const char* terminal : {"shipped", "refunded", "cancelled"}) {
    for (const OrderAction action : kActions) {
      CHECK_FALSE(services::next_status(action, terminal).has_value());
    }
  }
}

TEST_CASE("owners pay and cancel, admins ship and refund", "[unit][orders]") {
  CHECK(services::transition_of(OrderAction::kPay).actor == ActionActor::kOwner);
  CHECK(services::transition_of(OrderAction::kCancel).actor == ActionActor::kOwner);
  CHECK(services::transition_of(OrderAction::kShip).actor == ActionActor::kAdmin);
  CHECK(services::transition_of(OrderAction::kRefund).actor == ActionActor::kAdmin);
  CHECK(services::action_name(OrderAction::kRefund) == "refund");
}

TEST_CASE("stock movements keep available + reserved + shipped constant", "[unit][orders]") {
  const auto reserve = services::reservation(3);
  CHECK(reserve.ledger_kind == "reserve");
  CHECK(reserve.available == -3);
  CHECK(reserve.reserved == 3);
  CHECK(reserve.available + reserve.reserved + reserve.shipped == 0);

  CHECK_FALSE(services::effect_deltas(StockEffect::kNone, 3).has_value());
  const auto release = services::effect_deltas(StockEffect::kRelease, 3);
  REQUIRE(release);
  CHECK(release->ledger_kind == "release");
  CHECK(release->available == 3);
  CHECK(release->reserved == -3);
  const auto ship = services::effect_deltas(StockEffect::kShip, 3);
  REQUIRE(ship);
  CHECK(ship->ledger_kind == "ship");
  CHECK(ship->available == 0);
  CHECK(ship->reserved == -3);
  CHECK(ship->shipped == 3);
  for (const auto& d : {*release, *ship}) CHECK(d.available + d.reserved + d.shipped == 0);

  CHECK(services::transition_of(OrderAction::kPay).effect == StockEffect::kNone);
  CHECK(services::transition_of(OrderAction::kCancel).effect == StockEffect::kRelease);
  CHECK(services::transition_of(OrderAction::kRefund).effect == StockEffect::kRelease);
  CHECK(services::transition_of(OrderAction::kShip).effect == StockEffect::kShip);
}
