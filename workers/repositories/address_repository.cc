#include "workers/repositories/address_repository.h"

#include "common/pg_params.h"
#include "common/time_util.h"

namespace repo {

namespace pg = common::pg;

namespace {

const pg::Statement kInsertAddress{"address.insert", pg::Role::kService, pg::Effect::kWrite, R"SQL(
INSERT INTO addresses (user_id, line1, line2, city, region, country, postal_code)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id, line1, line2, city, region, country, postal_code, created_at
)SQL"};

const pg::Statement kListAddresses{"address.list", pg::Role::kService, pg::Effect::kRead, R"SQL(
SELECT id, line1, line2, city, region, country, postal_code, created_at
FROM addresses
WHERE user_id = $1
ORDER BY id
)SQL"};

const pg::Statement kDetachAddress{"address.detach", pg::Role::kService, pg::Effect::kWrite, R"SQL(
UPDATE addresses SET user_id = NULL WHERE id = $1 AND user_id = $2 RETURNING id
)SQL"};

// After kDetachAddress in the same transaction: the row goes when no order
// refers to it.
const pg::Statement kDeleteDetached{"address.delete_detached", pg::Role::kService,
                                    pg::Effect::kWrite, R"SQL(
DELETE FROM addresses a
WHERE a.id = $1 AND a.user_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM orders o
                  WHERE o.shipping_address_id = a.id OR o.billing_address_id = a.id)
)SQL"};

const pg::Statement kLockOwned{"address.lock_owned", pg::Role::kService, pg::Effect::kWrite, R"SQL(
SELECT id FROM addresses WHERE id = ANY ($2::bigint[]) AND user_id = $1 ORDER BY id FOR SHARE
)SQL"};

std::optional<std::string> opt_text(const pg::Result& r, int row, int col) {
  return r.is_null(row, col) ? std::nullopt : std::optional<std::string>(r.str(row, col));
}

Address address_at(const pg::Result& r, int i) {
  return {
      r.int64(i, 0),
      {r.str(i, 1), opt_text(r, i, 2), r.str(i, 3), opt_text(r, i, 4), r.str(i, 5), r.str(i, 6)},
      common::pg_timestamp_to_rfc3339(r.text(i, 7))};
}

}  // namespace

Address insert_address(pg::Connection& db, int64_t user_id, const NewAddress& a) {
  const pg::Result r = db.exec(kInsertAddress, {pg::num(user_id), a.line1, a.line2, a.city,
                                                a.region, a.country, a.postal_code});
  return address_at(r, 0);
}

std::vector<Address> list_addresses(pg::Connection& db, int64_t user_id) {
  const pg::Result r = db.exec(kListAddresses, {pg::num(user_id)});
  std::vector<Address> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(address_at(r, i));
  return out;
}

bool remove_address(pg::Connection& db, int64_t user_id, int64_t address_id) {
  if (db.exec(kDetachAddress, {pg::num(address_id), pg::num(user_id)}).rows() == 0) {
    return false;
  }
  static_cast<void>(db.exec(kDeleteDetached, {pg::num(address_id)}));
  return true;
}

std::vector<int64_t> lock_owned_addresses(pg::Connection& db, int64_t user_id,
                                          const std::vector<int64_t>& ids) {
  const pg::Result r = db.exec(kLockOwned, {pg::num(user_id), pg::int_array(ids)});
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(r.int64(i, 0));
  return out;
}

}  // namespace repo
