#include "workers/repositories/cart_repository.h"

namespace repo {

namespace pg = common::pg;

namespace {

const pg::Statement kFindCart{"cart.find", pg::Role::kService, pg::Effect::kRead,
                              "SELECT id FROM carts WHERE user_id = $1"};

const pg::Statement kCreateCart{"cart.create", pg::Role::kService, pg::Effect::kWrite, R"SQL(
INSERT INTO carts (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING RETURNING id
)SQL"};

// DO UPDATE takes the row lock of an existing cart, as SELECT ... FOR UPDATE would.
const pg::Statement kLockCart{"cart.lock", pg::Role::kService, pg::Effect::kWrite, R"SQL(
INSERT INTO carts (user_id) VALUES ($1)
ON CONFLICT (user_id) DO UPDATE SET updated_at = now()
RETURNING id
)SQL"};

const pg::Statement kLockExistingCart{"cart.lock_existing", pg::Role::kService, pg::Effect::kWrite,
                                      "SELECT id FROM carts WHERE user_id = $1 FOR UPDATE"};

const pg::Statement kCartLines{"cart.lines", pg::Role::kService, pg::Effect::kRead, R"SQL(
SELECT ci.id, ci.variant_id, v.sku, p.id, p.sku, p.title, v.price_cents, ci.quantity
FROM cart_items ci
JOIN product_variants v ON v.id = ci.variant_id
JOIN products p ON p.id = v.product_id
WHERE ci.cart_id = $1
ORDER BY ci.id
)SQL"};

// The guarded upsert. `stock` is empty for an unknown variant, so nothing is
// inserted; the insert branch checks the new line against the limits, the
// update branch (one atomic read-modify-write of the existing row) the sum.
// `existing` reports the line as it was, for the caller's error message.
const pg::Statement kAddToLine{"cart.add_to_line", pg::Role::kService, pg::Effect::kWrite, R"SQL(
WITH stock AS (
  SELECT v.id AS variant_id, coalesce(i.available, 0) AS available
  FROM product_variants v
  LEFT JOIN inventory i ON i.variant_id = v.id
  WHERE v.id = $2
),
existing AS (
  SELECT quantity FROM cart_items WHERE cart_id = $1 AND variant_id = $2
),
upserted AS (
  INSERT INTO cart_items (cart_id, variant_id, quantity)
  SELECT $1, s.variant_id, $3::integer
  FROM stock s
  WHERE $3::integer <= $4::integer AND $3::integer <= s.available
  ON CONFLICT (cart_id, variant_id) DO UPDATE
    SET quantity = cart_items.quantity + EXCLUDED.quantity, updated_at = now()
    WHERE cart_items.quantity + EXCLUDED.quantity <= $4::integer
      AND cart_items.quantity + EXCLUDED.quantity <=
          (SELECT coalesce(i.available, 0) FROM inventory i
           WHERE i.variant_id = EXCLUDED.variant_id)
  RETURNING quantity
)
SELECT EXISTS (SELECT 1 FROM stock),
       coalesce((SELECT available FROM stock), 0),
       coalesce((SELECT quantity FROM existing), 0),
       (SELECT quantity FROM upserted)
)SQL"};

// Raising a line is checked against the stock; lowering it never is.
const pg::Statement kSetLine{"cart.set_line", pg::Role::kService, pg::Effect::kWrite, R"SQL(
UPDATE cart_items ci
SET quantity = $3::integer, updated_at = now()
WHERE ci.id = $1 AND ci.cart_id = $2
  AND ($3::integer <= ci.quantity
       OR $3::integer <= (SELECT coalesce(i.available, 0) FROM inventory i
                          WHERE i.variant_id = ci.variant_id))
RETURNING ci.id
)SQL"};

const pg::Statement kLineStock{"cart.line_stock", pg::Role::kService, pg::Effect::kRead, R"SQL(
SELECT ci.variant_id, coalesce(i.available, 0)
FROM cart_items ci
LEFT JOIN inventory i ON i.variant_id = ci.variant_id
WHERE ci.id = $1 AND ci.cart_id = $2
)SQL"};

const pg::Statement kDeleteLine{"cart.delete_line", pg::Role::kService, pg::Effect::kWrite,
                                "DELETE FROM cart_items WHERE id = $1 AND cart_id = $2"};

const pg::Statement kClearCart{"cart.clear", pg::Role::kService, pg::Effect::kWrite,
                               "DELETE FROM cart_items WHERE cart_id = $1"};

std::string str(int64_t v) { return std::to_string(v); }

}  // namespace

int64_t find_or_create_cart(pg::Connection& db, int64_t user_id) {
  // Each statement sees what committed before it, so the second look finds a
  // cart that a concurrent request created between the first two.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (const pg::Result found = db.exec(kFindCart, {str(user_id)}); found.rows() == 1) {
      return found.int64(0, 0);
    }
    if (const pg::Result created = db.exec(kCreateCart, {str(user_id)}); created.rows() == 1) {
      return created.int64(0, 0);
    }
  }
  throw common::AppError(common::ErrorCode::kInternal, "internal error", Json::Value(),
                         "cart of user " + str(user_id) + " neither found nor created");
}

int64_t lock_cart(pg::Connection& db, int64_t user_id) {
  return db.exec(kLockCart, {str(user_id)}).int64(0, 0);
}

std::optional<int64_t> lock_existing_cart(pg::Connection& db, int64_t user_id) {
  const pg::Result r = db.exec(kLockExistingCart, {str(user_id)});
  if (r.rows() == 0) return std::nullopt;
  return r.int64(0, 0);
}

std::vector<CartLine> cart_lines(pg::Connection& db, int64_t cart_id) {
  const pg::Result r = db.exec(kCartLines, {str(cart_id)});
  std::vector<CartLine> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({r.int64(i, 0), r.int64(i, 1), r.str(i, 2), r.int64(i, 3), r.str(i, 4),
                   r.str(i, 5), r.int64(i, 6), r.int64(i, 7)});
  }
  return out;
}

AddResult add_to_line(pg::Connection& db, int64_t cart_id, int64_t variant_id, int64_t quantity,
                      int64_t max_line) {
  const pg::Result r =
      db.exec(kAddToLine, {str(cart_id), str(variant_id), str(quantity), str(max_line)});
  const int64_t available = r.int64(0, 1);
  const int64_t before = r.int64(0, 2);
  if (!r.boolean(0, 0)) return {AddOutcome::kNoSuchVariant, before, available};
  if (const auto after = r.opt_int64(0, 3)) return {AddOutcome::kAdded, *after, available};
  if (before + quantity > max_line) return {AddOutcome::kOverLineLimit, before, available};
  return {AddOutcome::kOverStock, before, available};
}

SetResult set_line_quantity(pg::Connection& db, int64_t cart_id, int64_t cart_item_id,
                            int64_t quantity) {
  if (db.exec(kSetLine, {str(cart_item_id), str(cart_id), str(quantity)}).rows() == 1) {
    return {SetOutcome::kSet, 0, 0};
  }
  const pg::Result line = db.exec(kLineStock, {str(cart_item_id), str(cart_id)});
  if (line.rows() == 0) return {SetOutcome::kNoSuchLine, 0, 0};
  return {SetOutcome::kOverStock, line.int64(0, 0), line.int64(0, 1)};
}

bool delete_line(pg::Connection& db, int64_t cart_id, int64_t cart_item_id) {
  return db.exec(kDeleteLine, {str(cart_item_id), str(cart_id)}).affected() == 1;
}

void clear_cart(pg::Connection& db, int64_t cart_id) {
  static_cast<void>(db.exec(kClearCart, {str(cart_id)}));
}

}  // namespace repo
