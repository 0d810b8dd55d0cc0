#include "workers/repositories/idempotency_repository.h"

#include "common/pg_params.h"

namespace repo {

namespace pg = common::pg;

namespace {

const pg::Statement kPurgeExpired{"idempotency.purge_expired", pg::Role::kService,
                                  pg::Effect::kWrite, R"SQL(
DELETE FROM idempotency_keys WHERE user_id = $1 AND expires_at <= now()
)SQL"};

// Served by idempotency_keys_expires_at_idx.
const pg::Statement kDeleteExpired{"idempotency.delete_expired", pg::Role::kService,
                                   pg::Effect::kWrite, R"SQL(
DELETE FROM idempotency_keys
WHERE (user_id, key) IN (SELECT user_id, key FROM idempotency_keys
                         WHERE expires_at <= now()
                         LIMIT $1
                         FOR UPDATE SKIP LOCKED)
)SQL"};

// ON CONFLICT waits for a transaction that inserted the same key and has not
// ended; the DO UPDATE branch takes over a row only once it has expired.
const pg::Statement kClaimKey{"idempotency.claim", pg::Role::kService, pg::Effect::kWrite, R"SQL(
INSERT INTO idempotency_keys (user_id, key, request_hash)
VALUES ($1, $2, $3)
ON CONFLICT (user_id, key) DO UPDATE
  SET request_hash = EXCLUDED.request_hash, response_status = NULL, response_body = NULL,
      order_id = NULL, created_at = now(), expires_at = now() + interval '24 hours'
  WHERE idempotency_keys.expires_at <= now()
RETURNING 1
)SQL"};

const pg::Statement kFindKey{"idempotency.find", pg::Role::kService, pg::Effect::kRead, R"SQL(
SELECT request_hash, response_status, response_body, order_id
FROM idempotency_keys
WHERE user_id = $1 AND key = $2
)SQL"};

// response_status is the schema's record of the answer's status: only a
// created order is stored, and it was created (201).
const pg::Statement kCompleteKey{"idempotency.complete", pg::Role::kService, pg::Effect::kWrite,
                                 R"SQL(
UPDATE idempotency_keys
SET response_status = 201, response_body = $3, order_id = $4
WHERE user_id = $1 AND key = $2
)SQL"};

}  // namespace

void purge_expired_keys(pg::Connection& db, int64_t user_id) {
  static_cast<void>(db.exec(kPurgeExpired, {pg::num(user_id)}));
}

int delete_expired_keys(pg::Connection& db, int limit) {
  return db.exec(kDeleteExpired, {pg::num(limit)}).affected();
}

bool claim_key(pg::Connection& db, int64_t user_id, const std::string& key,
               const std::string& request_hash) {
  return db.exec(kClaimKey, {pg::num(user_id), key, request_hash}).rows() == 1;
}

std::optional<StoredKey> find_key(pg::Connection& db, int64_t user_id, const std::string& key) {
  const pg::Result r = db.exec(kFindKey, {pg::num(user_id), key});
  if (r.rows() == 0) return std::nullopt;
  return StoredKey{r.str(0, 0), r.opt_int64(0, 1), r.opt_str(0, 2), r.opt_int64(0, 3)};
}

void complete_key(pg::Connection& db, int64_t user_id, const std::string& key,
                  const std::string& body_json, std::optional<int64_t> order_id) {
  static_cast<void>(
      db.exec(kCompleteKey, {pg::num(user_id), key, body_json, pg::opt_num(order_id)}));
}

}  // namespace repo
