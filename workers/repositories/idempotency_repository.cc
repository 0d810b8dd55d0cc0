#include "workers/repositories/idempotency_repository.h"

#include "workers/repositories/sql_params.h"

namespace repo {

namespace pg = common::pg;

namespace {

const pg::Statement kPurgeExpired{"idempotency.purge_expired", R"SQL(
DELETE FROM idempotency_keys WHERE user_id = $1 AND expires_at <= now()
)SQL"};

// ON CONFLICT waits for a transaction that inserted the same key and has not
// ended; the DO UPDATE branch takes over a row only once it has expired.
const pg::Statement kClaimKey{"idempotency.claim", R"SQL(
INSERT INTO idempotency_keys (user_id, key, request_hash)
VALUES ($1, $2, $3)
ON CONFLICT (user_id, key) DO UPDATE
  SET request_hash = EXCLUDED.request_hash, response_status = NULL, response_body = NULL,
      order_id = NULL, created_at = now(), expires_at = now() + interval '24 hours'
  WHERE idempotency_keys.expires_at <= now()
RETURNING 1
)SQL"};

const pg::Statement kFindKey{"idempotency.find", R"SQL(
SELECT request_hash, response_status, response_body, order_id
FROM idempotency_keys
WHERE user_id = $1 AND key = $2
)SQL"};

const pg::Statement kCompleteKey{"idempotency.complete", R"SQL(
UPDATE idempotency_keys
SET response_status = $3, response_body = $4, order_id = $5
WHERE user_id = $1 AND key = $2
)SQL"};

}  // namespace

void purge_expired_keys(pg::Connection& db, int64_t user_id) {
  static_cast<void>(db.exec(kPurgeExpired, {sql::num(user_id)}));
}

bool claim_key(pg::Connection& db, int64_t user_id, const std::string& key,
               const std::string& request_hash) {
  return db.exec(kClaimKey, {sql::num(user_id), key, request_hash}).rows() == 1;
}

std::optional<StoredKey> find_key(pg::Connection& db, int64_t user_id, const std::string& key) {
  const pg::Result r = db.exec(kFindKey, {sql::num(user_id), key});
  if (r.rows() == 0) return std::nullopt;
  return StoredKey{r.str(0, 0), r.opt_int64(0, 1),
                   r.is_null(0, 2) ? std::nullopt : std::optional<std::string>(r.str(0, 2)),
                   r.opt_int64(0, 3)};
}

void complete_key(pg::Connection& db, int64_t user_id, const std::string& key, int status,
                  const std::string& body_json, std::optional<int64_t> order_id) {
  static_cast<void>(db.exec(kCompleteKey, {sql::num(user_id), key, std::to_string(status),
                                           body_json, sql::opt_num(order_id)}));
}

}  // namespace repo
