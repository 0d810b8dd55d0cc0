// Login attempts for the API.md login limits: named SQL over `login_attempts`.
// An attempt is recorded before the password is checked (so that concurrent
// attempts count against each other) and forgotten when the check succeeds,
// so what stays are the failures.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/pg.h"

namespace repo {

struct LoginLimits {
  int max_per_account;   // attempts per email ...
  int account_window_s;  // ... within this many seconds
  int max_per_address;   // attempts per client address ...
  int address_window_s;  // ... within this many seconds
};

struct LoginGate {
  // The recorded attempt, or nullopt when a limit is reached (nothing recorded).
  std::optional<int64_t> attempt_id;
  // When a limit is reached: seconds until one more attempt is allowed (>= 1).
  int64_t retry_after_s = 0;
};

// In one transaction, serialised per email and per address with advisory
// locks: counts the attempts of each window and records a new attempt unless
// a limit holds it back. The address limit holds back every attempt past its
// maximum; the account limit only attempts from an address that has itself
// failed for that email within the account window (API.md "Limits": a lockout
// must not keep the owner out), so a stranger's failures never refuse the
// owner's address.
LoginGate begin_login_attempt(common::pg::Connection& db, const std::string& email,
                              const std::string& client_addr, const LoginLimits& limits);

// Deletes the attempt (it succeeded).
void forget_login_attempt(common::pg::Connection& db, int64_t attempt_id);

// Deletes up to `limit` attempts older than `older_than_s` seconds; returns how many.
int delete_old_login_attempts(common::pg::Connection& db, int older_than_s, int limit);

}  // namespace repo
