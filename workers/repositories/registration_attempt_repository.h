// Registrations per client address for the API.md registration limit: named
// SQL over `registration_attempts`. A registration is recorded before its
// password is hashed, whether it then succeeds or not (the hashing is the cost
// the limit bounds).
#pragma once

#include <cstdint>
#include <string>

#include "common/pg.h"

namespace repo {

struct RegistrationGate {
  bool admitted = false;
  // When refused: seconds until the window allows one more (>= 1).
  int64_t retry_after_s = 0;
};

// In one transaction, serialised per address with an advisory lock: counts
// the address's registrations within the last `window_s` seconds and records
// a new one unless `max` are there already.
[[nodiscard]] RegistrationGate begin_registration(common::pg::Connection& db,
                                                  const std::string& client_addr, int max,
                                                  int window_s);

// Deletes up to `limit` registrations older than `older_than_s` seconds; returns how many.
int delete_old_registrations(common::pg::Connection& db, int older_than_s, int limit);

}  // namespace repo
