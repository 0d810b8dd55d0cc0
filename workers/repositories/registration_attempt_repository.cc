#include "workers/repositories/registration_attempt_repository.h"

#include <algorithm>

namespace repo {

namespace pg = common::pg;

namespace {

// First key: the kind of lock; second: the hash of the address.
const pg::Statement kLockAddress{"registration_attempts.lock", pg::Role::kService,
                                 pg::Effect::kWrite,
                                 "SELECT pg_advisory_xact_lock(73051899, hashtext($1))"};

// Of the newest `max` registrations within the window: how many there are,
// and in how many seconds the oldest of them leaves it.
const pg::Statement kCount{"registration_attempts.count", pg::Role::kService, pg::Effect::kRead,
                           R"SQL(
SELECT count(*), coalesce(ceil(extract(epoch FROM min(attempted_at)
                                      + make_interval(secs => $2::integer) - now())), 0)::bigint
FROM (SELECT attempted_at FROM registration_attempts
      WHERE client_addr = $1 AND attempted_at > now() - make_interval(secs => $2::integer)
      ORDER BY attempted_at DESC
      LIMIT $3) recent
)SQL"};

const pg::Statement kInsert{"registration_attempts.insert", pg::Role::kService, pg::Effect::kWrite,
                            "INSERT INTO registration_attempts (client_addr) VALUES ($1)"};

const pg::Statement kDeleteOld{"registration_attempts.delete_old", pg::Role::kService,
                               pg::Effect::kWrite, R"SQL(
DELETE FROM registration_attempts
WHERE id IN (SELECT id FROM registration_attempts
             WHERE attempted_at < now() - make_interval(secs => $1::integer)
             LIMIT $2)
)SQL"};

}  // namespace

RegistrationGate begin_registration(pg::Connection& db, const std::string& client_addr, int max,
                                    int window_s) {
  return pg::transaction(db, [&](pg::Connection& c) {
    (void)c.exec(kLockAddress, {client_addr});
    const pg::Result r =
        c.exec(kCount, {client_addr, std::to_string(window_s), std::to_string(max)});
    if (r.int64(0, 0) >= max) {
      return RegistrationGate{false, std::max<int64_t>(1, r.int64(0, 1))};
    }
    (void)c.exec(kInsert, {client_addr});
    return RegistrationGate{true, 0};
  });
}

int delete_old_registrations(pg::Connection& db, int older_than_s, int limit) {
  return db.exec(kDeleteOld, {std::to_string(older_than_s), std::to_string(limit)}).affected();
}

}  // namespace repo
