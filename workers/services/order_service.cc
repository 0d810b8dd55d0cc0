#include "workers/services/order_service.h"

#include "common/error.h"
#include "common/json.h"
#include "common/pagination.h"
#include "workers/repositories/order_stock_repository.h"
#include "workers/services/busy_retry.h"
#include "workers/services/catalog_cache.h"

namespace services {

using common::AppError;
using common::ErrorCode;

namespace {

// Who moved the order, without exposing staff user ids to customers.
const char* actor_of(const repo::OrderEventRow& event, int64_t owner_id) {
  if (!event.actor_user_id) return "system";
  return *event.actor_user_id == owner_id ? "customer" : "admin";
}

// The stock movement of a transition: every line's units, rows locked in
// variant id order, one ledger row per variant.
void move_order_stock(common::pg::Connection& tx, int64_t order_id,
                      std::optional<int64_t> actor_user_id, const std::string& note,
                      StockEffect effect) {
  std::vector<repo::StockMovement> movements;
  std::vector<int64_t> variant_ids;
  std::string ledger_kind;
  for (const repo::OrderUnits& units : repo::order_units(tx, order_id)) {
    const auto deltas = effect_deltas(effect, units.quantity);
    if (!deltas) return;
    ledger_kind = deltas->ledger_kind;
    variant_ids.push_back(units.variant_id);
    movements.push_back({units.variant_id, deltas->available, deltas->reserved, deltas->shipped});
  }
  if (movements.empty()) return;
  static_cast<void>(repo::lock_inventory(tx, variant_ids));
  repo::apply_stock_movements(tx, ledger_kind, movements, order_id, actor_user_id, note);
}

}  // namespace

std::string parse_payment_reference(const Json::Value& body) {
  common::FieldErrors errors;
  auto reference = common::json::get_string(body, "payment_reference", 1, 255, errors);
  if (!reference) errors.add("payment_reference", "is required");
  errors.throw_if_any();
  return *reference;
}

Json::Value order_json(const repo::OrderDetail& detail) {
  const repo::OrderRow& o = detail.order;
  Json::Value out(Json::objectValue);
  out["order_id"] = static_cast<Json::Int64>(o.id);
  out["status"] = o.status;
  out["total_cents"] = static_cast<Json::Int64>(o.total_cents);
  out["currency"] = o.currency;
  out["item_count"] = static_cast<Json::Int64>(detail.items.size());
  Json::Value& items = out["items"] = Json::Value(Json::arrayValue);
  for (const repo::OrderItemRow& i : detail.items) {
    Json::Value item(Json::objectValue);
    item["order_item_id"] = static_cast<Json::Int64>(i.id);
    item["variant_id"] = common::json::or_null(i.variant_id);
    item["variant_sku"] = common::json::or_null(i.variant_sku);
    item["product_title"] = common::json::or_null(i.product_title);
    item["product_sku"] = common::json::or_null(i.product_sku);
    item["attributes"] = common::json::parse_trusted(i.attributes_json);
    item["unit_price_cents"] = static_cast<Json::Int64>(i.unit_price_cents);
    item["quantity"] = static_cast<Json::Int64>(i.quantity);
    item["subtotal_cents"] = static_cast<Json::Int64>(i.subtotal_cents);
    items.append(std::move(item));
  }
  out["created_at"] = o.created_at;
  out["updated_at"] = o.updated_at;
  out["shipping_address_id"] = common::json::or_null(o.shipping_address_id);
  out["billing_address_id"] = common::json::or_null(o.billing_address_id);
  out["payment_reference"] = common::json::or_null(o.payment_reference);
  Json::Value& events = out["events"] = Json::Value(Json::arrayValue);
  for (const repo::OrderEventRow& e : detail.events) {
    Json::Value event(Json::objectValue);
    event["from_status"] = common::json::or_null(e.from_status);
    event["to_status"] = e.to_status;
    event["actor"] = actor_of(e, o.user_id);
    event["reason"] = common::json::or_null(e.reason);
    event["created_at"] = e.created_at;
    events.append(std::move(event));
  }
  return out;
}

Json::Value written_order_json(common::pg::Connection& db, int64_t order_id) {
  const auto order = repo::find_order(db, order_id, std::nullopt);
  if (!order) {
    throw AppError(ErrorCode::kInternal, "internal error", Json::Value(),
                   "order " + std::to_string(order_id) + " vanished inside its transaction");
  }
  return order_json(*order);
}

Json::Value order_page_json(const std::vector<repo::OrderSummary>& rows, int limit) {
  return common::keyset_page(rows, limit, [](const repo::OrderSummary& o) {
    Json::Value item(Json::objectValue);
    item["order_id"] = static_cast<Json::Int64>(o.id);
    item["status"] = o.status;
    item["total_cents"] = static_cast<Json::Int64>(o.total_cents);
    item["currency"] = o.currency;
    item["item_count"] = static_cast<Json::Int64>(o.item_count);
    item["created_at"] = o.created_at;
    return item;
  });
}

Json::Value list_orders(common::pg::Connection& db, int64_t user_id,
                        const OrderListRequest& request) {
  return order_page_json(repo::list_orders(db, user_id, request.after, request.limit + 1),
                         request.limit);
}

Json::Value get_order(common::pg::Connection& db, int64_t user_id, int64_t order_id) {
  const auto order = repo::find_order(db, order_id, user_id);
  if (!order) throw AppError(ErrorCode::kNotFound, "order not found");
  return order_json(*order);
}

Json::Value apply_action(common::pg::Connection& db, const ActionRequest& request,
                         common::cache::Cache* cache, const OrderJobSettings& jobs) {
  const Transition& t = transition_of(request.action);
  const std::optional<int64_t> owner =
      t.actor == ActionActor::kOwner ? std::optional<int64_t>(request.actor_user_id) : std::nullopt;
  const std::string from(t.from), to(t.to);
  Json::Value written = busy_retry_transaction(db, [&](common::pg::Connection& tx) {
    if (!repo::transition_order(tx, request.order_id, owner, {from}, to,
                                request.payment_reference)) {
      const auto status = repo::order_status(tx, request.order_id, owner);
      if (!status) throw AppError(ErrorCode::kNotFound, "order not found");
      Json::Value details(Json::objectValue);
      details["status"] = *status;
      throw AppError(
          ErrorCode::kInvalidState,
          "cannot " + std::string(action_name(request.action)) + " an order that is " + *status,
          details);
    }
    if (t.effect != StockEffect::kNone) {
      move_order_stock(tx, request.order_id, request.actor_user_id,
                       "order " + std::string(action_name(request.action)), t.effect);
    }
    repo::insert_order_event(tx, request.order_id, from, to, request.actor_user_id);
    if (request.action == OrderAction::kShip) enqueue_order_shipped(tx, request.order_id, jobs);
    return written_order_json(tx, request.order_id);
  });
  if (request.action == OrderAction::kShip) wake_mail_runners(db, jobs);
  if (t.effect != StockEffect::kNone) catalog_cache::order_changed(db, cache, written);
  return written;
}

ExpiryOutcome expire_unpaid_order(common::pg::Connection& db, int64_t order_id,
                                  common::cache::Cache* cache) {
  const Transition& t = transition_of(OrderAction::kCancel);
  const std::string from(t.from), to(t.to);
  std::optional<Json::Value> written;
  const ExpiryOutcome outcome = busy_retry_transaction(db, [&](common::pg::Connection& tx) {
    written.reset();
    if (!repo::transition_order(tx, order_id, std::nullopt, {from}, to, std::nullopt)) {
      return repo::order_status(tx, order_id, std::nullopt) ? ExpiryOutcome::kSettled
                                                            : ExpiryOutcome::kNoSuchOrder;
    }
    move_order_stock(tx, order_id, std::nullopt, "order payment timeout", t.effect);
    repo::insert_order_event(tx, order_id, from, to, std::nullopt, kPaymentTimeoutReason);
    written = written_order_json(tx, order_id);
    return ExpiryOutcome::kExpired;
  });
  if (written) catalog_cache::order_changed(db, cache, *written);
  return outcome;
}

}  // namespace services
