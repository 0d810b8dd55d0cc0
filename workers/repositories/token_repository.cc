#include "workers/repositories/token_repository.h"

namespace repo {

namespace pg = common::pg;

namespace {

const pg::Statement kInsert{"refresh_tokens.insert", pg::Role::kService, pg::Effect::kWrite, R"SQL(
INSERT INTO refresh_tokens (user_id, token_hash, family_id, expires_at)
VALUES ($1, $2, coalesce($3::uuid, gen_random_uuid()), now() + make_interval(secs => $4::integer))
RETURNING family_id
)SQL"};

// Every change to a family (rotation, reuse detection, logout, revocation of
// an account's sessions) first takes this transaction-scoped advisory lock on
// the family, then reads the rows in a statement of its own: under READ
// COMMITTED that statement sees every token a rotation committed before.
// First key: the kind of lock (73051898); second: the family's hash.

const pg::Statement kLockFamilyOf{"refresh_tokens.lock_family_of", pg::Role::kService,
                                  pg::Effect::kWrite, R"SQL(
SELECT family_id::text, pg_advisory_xact_lock(73051898, hashtext(family_id::text))
FROM refresh_tokens WHERE token_hash = $1
)SQL"};

// Sorted, so that two revocations of one account take the locks in one order.
const pg::Statement kLockFamiliesOfUser{"refresh_tokens.lock_families_of_user", pg::Role::kService,
                                        pg::Effect::kWrite, R"SQL(
SELECT count(pg_advisory_xact_lock(73051898, hashtext(f::text)))
FROM (SELECT DISTINCT family_id AS f FROM refresh_tokens
      WHERE user_id = $1 AND revoked_at IS NULL
      ORDER BY 1) families
)SQL"};

const pg::Statement kRevokeUser{"refresh_tokens.revoke_user", pg::Role::kService,
                                pg::Effect::kWrite, R"SQL(
UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL
)SQL"};

const pg::Statement kLock{"refresh_tokens.lock", pg::Role::kService, pg::Effect::kWrite, R"SQL(
SELECT t.id, t.user_id, t.family_id, u.role, t.expires_at <= now(), t.used_at IS NOT NULL,
       t.revoked_at IS NOT NULL, u.token_version
FROM refresh_tokens t
JOIN users u ON u.id = t.user_id
WHERE t.token_hash = $1
FOR UPDATE OF t
)SQL"};

const pg::Statement kMarkUsed{"refresh_tokens.mark_used", pg::Role::kService, pg::Effect::kWrite,
                              "UPDATE refresh_tokens SET used_at = now() WHERE id = $1"};

const pg::Statement kRevokeFamily{"refresh_tokens.revoke_family", pg::Role::kService,
                                  pg::Effect::kWrite, R"SQL(
UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1::uuid AND revoked_at IS NULL
)SQL"};

const pg::Statement kDeleteDead{"refresh_tokens.delete_dead", pg::Role::kService,
                                pg::Effect::kWrite, R"SQL(
DELETE FROM refresh_tokens
WHERE id IN (SELECT id FROM refresh_tokens
             WHERE expires_at <= now() OR revoked_at IS NOT NULL
             LIMIT $1
             FOR UPDATE SKIP LOCKED)
)SQL"};

}  // namespace

std::string insert_refresh_token(pg::Connection& db, int64_t user_id, const std::string& token_hash,
                                 const std::optional<std::string>& family_id, int ttl_s) {
  return db.exec(kInsert, {std::to_string(user_id), token_hash, family_id, std::to_string(ttl_s)})
      .str(0, 0);
}

std::optional<RefreshTokenState> lock_refresh_token(pg::Connection& db,
                                                    const std::string& token_hash) {
  const pg::Result r = db.exec(kLock, {token_hash});
  if (r.rows() == 0) return std::nullopt;
  return RefreshTokenState{r.int64(0, 0),   r.int64(0, 1),   r.str(0, 2),     r.str(0, 3),
                           r.boolean(0, 4), r.boolean(0, 5), r.boolean(0, 6), r.int64(0, 7)};
}

void mark_refresh_token_used(pg::Connection& db, int64_t id) {
  (void)db.exec(kMarkUsed, {std::to_string(id)});
}

int revoke_refresh_family(pg::Connection& db, const std::string& family_id) {
  return db.exec(kRevokeFamily, {family_id}).affected();
}

std::optional<std::string> lock_refresh_family_of(pg::Connection& db,
                                                  const std::string& token_hash) {
  const pg::Result r = db.exec(kLockFamilyOf, {token_hash});
  if (r.rows() == 0) return std::nullopt;
  return r.str(0, 0);
}

int revoke_refresh_family_of(pg::Connection& db, const std::string& token_hash) {
  return pg::transaction(db, [&](pg::Connection& c) {
    const auto family = lock_refresh_family_of(c, token_hash);
    return family ? revoke_refresh_family(c, *family) : 0;
  });
}

int revoke_refresh_tokens_of_user(pg::Connection& db, int64_t user_id) {
  const std::string id = std::to_string(user_id);
  (void)db.exec(kLockFamiliesOfUser, {id});
  return db.exec(kRevokeUser, {id}).affected();
}

int delete_dead_refresh_tokens(pg::Connection& db, int limit) {
  return db.exec(kDeleteDead, {std::to_string(limit)}).affected();
}

}  // namespace repo
