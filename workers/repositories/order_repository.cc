#include "workers/repositories/order_repository.h"

#include "common/pg_params.h"
#include "common/time_util.h"

namespace repo {

namespace pg = common::pg;

namespace {

const pg::Statement kFindOrder{"order.find", pg::Role::kService, pg::Effect::kRead, R"SQL(
SELECT id, user_id, status, total_cents, currency, shipping_address_id, billing_address_id,
       payment_provider_id, created_at, updated_at
FROM orders
WHERE id = $1 AND ($2::bigint IS NULL OR user_id = $2)
)SQL"};

const pg::Statement kOrderItems{"order.items", pg::Role::kService, pg::Effect::kRead, R"SQL(
SELECT oi.id, oi.variant_id, v.sku, p.sku, p.title, coalesce(v.attributes, '{}'::jsonb),
       oi.unit_price_cents, oi.quantity, oi.subtotal_cents
FROM order_items oi
LEFT JOIN product_variants v ON v.id = oi.variant_id
LEFT JOIN products p ON p.id = v.product_id
WHERE oi.order_id = $1
ORDER BY oi.id
)SQL"};

const pg::Statement kOrderEvents{"order.events", pg::Role::kService, pg::Effect::kRead, R"SQL(
SELECT id, from_status, to_status, actor_user_id, reason, created_at
FROM order_events
WHERE order_id = $1
ORDER BY id
)SQL"};

// Keyset page on id descending, served by orders_user_id_id_idx.
const pg::Statement kListOrders{"order.list", pg::Role::kService, pg::Effect::kRead, R"SQL(
SELECT o.id, o.status, o.total_cents, o.currency,
       (SELECT count(*) FROM order_items oi WHERE oi.order_id = o.id), o.created_at
FROM orders o
WHERE o.user_id = $1 AND ($2::bigint IS NULL OR o.id < $2)
ORDER BY o.id DESC
LIMIT $3
)SQL"};

const pg::Statement kInsertOrder{"order.insert", pg::Role::kService, pg::Effect::kWrite, R"SQL(
INSERT INTO orders (user_id, status, total_cents, currency, shipping_address_id,
                    billing_address_id)
VALUES ($1, 'created', $2, $3, $4, $5)
RETURNING id
)SQL"};

const pg::Statement kInsertItems{"order.insert_items", pg::Role::kService, pg::Effect::kWrite,
                                 R"SQL(
INSERT INTO order_items (order_id, variant_id, unit_price_cents, quantity, subtotal_cents)
SELECT $1, l.variant_id, l.unit_price_cents, l.quantity, l.unit_price_cents * l.quantity
FROM unnest($2::bigint[], $3::bigint[], $4::integer[])
     WITH ORDINALITY AS l (variant_id, unit_price_cents, quantity, n)
ORDER BY l.n
)SQL"};

const pg::Statement kInsertEvent{"order.insert_event", pg::Role::kService, pg::Effect::kWrite,
                                 R"SQL(
INSERT INTO order_events (order_id, from_status, to_status, actor_user_id, reason)
VALUES ($1, $2, $3, $4, $5)
)SQL"};

const pg::Statement kTransition{"order.transition", pg::Role::kService, pg::Effect::kWrite, R"SQL(
UPDATE orders
SET status = $4, updated_at = now(), payment_provider_id = coalesce($5, payment_provider_id)
WHERE id = $1 AND ($2::bigint IS NULL OR user_id = $2) AND status = ANY ($3::text[])
RETURNING id
)SQL"};

const pg::Statement kOrderStatus{"order.status", pg::Role::kService, pg::Effect::kRead, R"SQL(
SELECT status FROM orders WHERE id = $1 AND ($2::bigint IS NULL OR user_id = $2)
)SQL"};

std::optional<std::string> opt_text(const pg::Result& r, int row, int col) {
  return r.is_null(row, col) ? std::nullopt : std::optional<std::string>(r.str(row, col));
}

// A text[] literal of plain words (the statuses of the orders_status_check).
std::string word_array(const std::vector<std::string>& words) {
  std::string out = "{";
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += ',';
    out += words[i];
  }
  return out + "}";
}

}  // namespace

std::optional<OrderDetail> find_order(pg::Connection& db, int64_t order_id,
                                      std::optional<int64_t> owner_id) {
  const pg::Result o = db.exec(kFindOrder, {pg::num(order_id), pg::opt_num(owner_id)});
  if (o.rows() == 0) return std::nullopt;
  OrderDetail detail{
      {o.int64(0, 0), o.int64(0, 1), o.str(0, 2), o.int64(0, 3), o.str(0, 4), o.opt_int64(0, 5),
       o.opt_int64(0, 6), opt_text(o, 0, 7), common::pg_timestamp_to_rfc3339(o.text(0, 8)),
       common::pg_timestamp_to_rfc3339(o.text(0, 9))},
      {},
      {}};
  const pg::Result items = db.exec(kOrderItems, {pg::num(order_id)});
  detail.items.reserve(static_cast<size_t>(items.rows()));
  for (int i = 0; i < items.rows(); ++i) {
    detail.items.push_back({items.int64(i, 0), items.opt_int64(i, 1), opt_text(items, i, 2),
                            opt_text(items, i, 3), opt_text(items, i, 4), items.str(i, 5),
                            items.int64(i, 6), items.int64(i, 7), items.int64(i, 8)});
  }
  const pg::Result events = db.exec(kOrderEvents, {pg::num(order_id)});
  detail.events.reserve(static_cast<size_t>(events.rows()));
  for (int i = 0; i < events.rows(); ++i) {
    detail.events.push_back({events.int64(i, 0), opt_text(events, i, 1), events.str(i, 2),
                             events.opt_int64(i, 3), opt_text(events, i, 4),
                             common::pg_timestamp_to_rfc3339(events.text(i, 5))});
  }
  return detail;
}

std::vector<OrderSummary> list_orders(pg::Connection& db, int64_t user_id,
                                      std::optional<int64_t> before_id, int fetch) {
  const pg::Result r =
      db.exec(kListOrders, {pg::num(user_id), pg::opt_num(before_id), pg::num(fetch)});
  std::vector<OrderSummary> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({r.int64(i, 0), r.str(i, 1), r.int64(i, 2), r.str(i, 3), r.int64(i, 4),
                   common::pg_timestamp_to_rfc3339(r.text(i, 5))});
  }
  return out;
}

int64_t insert_order(pg::Connection& db, const NewOrder& order) {
  return db
      .exec(kInsertOrder,
            {pg::num(order.user_id), pg::num(order.total_cents), order.currency,
             pg::opt_num(order.shipping_address_id), pg::opt_num(order.billing_address_id)})
      .int64(0, 0);
}

void insert_order_items(pg::Connection& db, int64_t order_id,
                        const std::vector<NewOrderItem>& items) {
  std::vector<int64_t> variants, prices, quantities;
  for (const NewOrderItem& item : items) {
    variants.push_back(item.variant_id);
    prices.push_back(item.unit_price_cents);
    quantities.push_back(item.quantity);
  }
  static_cast<void>(db.exec(kInsertItems, {pg::num(order_id), pg::int_array(variants),
                                           pg::int_array(prices), pg::int_array(quantities)}));
}

void insert_order_event(pg::Connection& db, int64_t order_id,
                        std::optional<std::string> from_status, const std::string& to_status,
                        std::optional<int64_t> actor_user_id, std::optional<std::string> reason) {
  static_cast<void>(db.exec(kInsertEvent, {pg::num(order_id), std::move(from_status), to_status,
                                           pg::opt_num(actor_user_id), std::move(reason)}));
}

bool transition_order(pg::Connection& db, int64_t order_id, std::optional<int64_t> owner_id,
                      const std::vector<std::string>& allowed_from, const std::string& to_status,
                      const std::optional<std::string>& payment_reference) {
  return db.exec(kTransition, {pg::num(order_id), pg::opt_num(owner_id), word_array(allowed_from),
                               to_status, payment_reference})
             .rows() == 1;
}

std::optional<std::string> order_status(pg::Connection& db, int64_t order_id,
                                        std::optional<int64_t> owner_id) {
  const pg::Result r = db.exec(kOrderStatus, {pg::num(order_id), pg::opt_num(owner_id)});
  if (r.rows() == 0) return std::nullopt;
  return r.str(0, 0);
}

}  // namespace repo
