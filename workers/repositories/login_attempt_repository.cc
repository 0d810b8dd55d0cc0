#include "workers/repositories/login_attempt_repository.h"

#include <algorithm>

namespace repo {

namespace pg = common::pg;

namespace {

// Two-key advisory locks: the first key names the kind, the second is the
// hash of the email or address. Always taken email first, then address.
const pg::Statement kLockKeys{"login_attempts.lock", pg::Role::kService, pg::Effect::kWrite, R"SQL(
SELECT pg_advisory_xact_lock(73051896, hashtext($1)), pg_advisory_xact_lock(73051897, hashtext($2))
)SQL"};

// Of the newest `max` attempts within the window: how many there are, and in
// how many seconds the oldest of them leaves the window (then the count is
// below max again).
const pg::Statement kCountByEmail{"login_attempts.count_by_email", pg::Role::kService,
                                  pg::Effect::kRead, R"SQL(
SELECT count(*), coalesce(ceil(extract(epoch FROM min(attempted_at)
                                      + make_interval(secs => $2::integer) - now())), 0)::bigint
FROM (SELECT attempted_at FROM login_attempts
      WHERE email = $1 AND attempted_at > now() - make_interval(secs => $2::integer)
      ORDER BY attempted_at DESC
      LIMIT $3) recent
)SQL"};

const pg::Statement kCountByAddress{"login_attempts.count_by_address", pg::Role::kService,
                                    pg::Effect::kRead, R"SQL(
SELECT count(*), coalesce(ceil(extract(epoch FROM min(attempted_at)
                                      + make_interval(secs => $2::integer) - now())), 0)::bigint
FROM (SELECT attempted_at FROM login_attempts
      WHERE client_addr = $1 AND attempted_at > now() - make_interval(secs => $2::integer)
      ORDER BY attempted_at DESC
      LIMIT $3) recent
)SQL"};

// Whether this address has an attempt for this email within the window: the
// account limit holds back only addresses that have failed for the account.
const pg::Statement kAddressFailedFor{"login_attempts.address_failed_for", pg::Role::kService,
                                      pg::Effect::kRead, R"SQL(
SELECT EXISTS (SELECT 1 FROM login_attempts
               WHERE email = $1 AND client_addr = $2
                 AND attempted_at > now() - make_interval(secs => $3::integer))
)SQL"};

const pg::Statement kInsert{"login_attempts.insert", pg::Role::kService, pg::Effect::kWrite, R"SQL(
INSERT INTO login_attempts (email, client_addr) VALUES ($1, $2) RETURNING id
)SQL"};

const pg::Statement kDelete{"login_attempts.delete", pg::Role::kService, pg::Effect::kWrite,
                            "DELETE FROM login_attempts WHERE id = $1"};

const pg::Statement kDeleteOld{"login_attempts.delete_old", pg::Role::kService, pg::Effect::kWrite,
                               R"SQL(
DELETE FROM login_attempts
WHERE id IN (SELECT id FROM login_attempts
             WHERE attempted_at < now() - make_interval(secs => $1::integer)
             LIMIT $2)
)SQL"};

// Seconds until the window allows one more attempt, or 0 when it does now.
int64_t wait_for(pg::Connection& db, const pg::Statement& count, const std::string& key, int max,
                 int window_s) {
  const pg::Result r = db.exec(count, {key, std::to_string(window_s), std::to_string(max)});
  if (r.int64(0, 0) < max) return 0;
  return std::max<int64_t>(1, r.int64(0, 1));
}

}  // namespace

LoginGate begin_login_attempt(pg::Connection& db, const std::string& email,
                              const std::string& client_addr, const LoginLimits& limits) {
  return pg::transaction(db, [&](pg::Connection& c) {
    (void)c.exec(kLockKeys, {email, client_addr});
    int64_t account_wait =
        wait_for(c, kCountByEmail, email, limits.max_per_account, limits.account_window_s);
    if (account_wait > 0 &&
        !c.exec(kAddressFailedFor, {email, client_addr, std::to_string(limits.account_window_s)})
             .boolean(0, 0)) {
      account_wait = 0;
    }
    const int64_t wait = std::max(
        account_wait,
        wait_for(c, kCountByAddress, client_addr, limits.max_per_address, limits.address_window_s));
    if (wait > 0) return LoginGate{std::nullopt, wait};
    return LoginGate{c.exec(kInsert, {email, client_addr}).int64(0, 0), 0};
  });
}

void forget_login_attempt(pg::Connection& db, int64_t attempt_id) {
  (void)db.exec(kDelete, {std::to_string(attempt_id)});
}

int delete_old_login_attempts(pg::Connection& db, int older_than_s, int limit) {
  return db.exec(kDeleteOld, {std::to_string(older_than_s), std::to_string(limit)}).affected();
}

}  // namespace repo
