#include "workers/services/housekeeping.h"

#include <algorithm>

#include "workers/repositories/idempotency_repository.h"
#include "workers/repositories/job_queue_repository.h"
#include "workers/repositories/login_attempt_repository.h"
#include "workers/repositories/registration_attempt_repository.h"
#include "workers/repositories/token_repository.h"

namespace services {

namespace {

template <class DeleteBatch>
int64_t in_batches(int batch, int max_batches, DeleteBatch delete_batch) {
  int64_t total = 0;
  for (int i = 0; i < max_batches; ++i) {
    const int deleted = delete_batch(batch);
    total += deleted;
    if (deleted < batch) break;
  }
  return total;
}

}  // namespace

HousekeepingCounts delete_expired_records(common::pg::Connection& db, const common::Config& config,
                                          int batch, int max_batches) {
  HousekeepingCounts counts;
  counts.idempotency_keys = in_batches(
      batch, max_batches, [&](int limit) { return repo::delete_expired_keys(db, limit); });
  counts.refresh_tokens = in_batches(
      batch, max_batches, [&](int limit) { return repo::delete_dead_refresh_tokens(db, limit); });
  const int login_window = std::max(config.login_account_window_s, config.login_address_window_s);
  counts.login_attempts = in_batches(batch, max_batches, [&](int limit) {
    return repo::delete_old_login_attempts(db, login_window, limit);
  });
  counts.registration_attempts = in_batches(batch, max_batches, [&](int limit) {
    return repo::delete_old_registrations(db, config.register_window_s, limit);
  });
  counts.done_jobs = in_batches(batch, max_batches, [&](int limit) {
    return repo::delete_done_jobs(db, config.job_retention_s, limit);
  });
  return counts;
}

}  // namespace services
