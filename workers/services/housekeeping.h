// Deleting what the service keeps only for a while, across all users: expired
// Idempotency-Keys, expired or revoked refresh tokens, and login and
// registration attempts older than their windows, and done jobs older than
// JOB_RETENTION_S. The requests that use those
// tables delete their own share as they go (login, register, checkout); this
// catches what no request comes back for (a user who never logs in or checks
// out again). Run by the hourly maintenance.cleanup job.
#pragma once

#include <cstdint>

#include "common/config.h"
#include "common/pg.h"

namespace services {

struct HousekeepingCounts {
  int64_t idempotency_keys = 0;
  int64_t refresh_tokens = 0;
  int64_t login_attempts = 0;
  int64_t registration_attempts = 0;
  int64_t done_jobs = 0;
};

// Deletes in batches (each its own statement, rows other transactions hold
// are skipped) until a batch comes back short, at most `max_batches` per
// table. Returns how many rows went. Throws pg::DbError.
HousekeepingCounts delete_expired_records(common::pg::Connection& db, const common::Config& config,
                                          int batch = 1000, int max_batches = 100);

}  // namespace services
