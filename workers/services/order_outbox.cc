#include "workers/services/order_outbox.h"

#include <string>

#include "workers/jobs/job_kinds.h"
#include "workers/repositories/job_repository.h"
#include "workers/services/job_wake.h"

namespace services {

namespace {

void enqueue_for_order(common::pg::Connection& tx, const char* queue, const char* kind,
                       int64_t order_id, int64_t delay_s, const OrderJobSettings& settings) {
  repo::NewJob job;
  job.queue = queue;
  job.kind = kind;
  job.payload["order_id"] = static_cast<Json::Int64>(order_id);
  job.max_attempts = settings.max_attempts;
  job.delay_s = delay_s;
  job.dedupe_key = std::string(kind) + ":" + std::to_string(order_id);
  // nullopt: the job of this order event exists already (nothing to add).
  static_cast<void>(repo::enqueue_job(tx, job));
}

}  // namespace

OrderJobSettings order_job_settings(const common::Config& config) {
  return {config.jobs_outbox, config.job_max_attempts, config.order_payment_ttl_s};
}

void enqueue_order_placed(common::pg::Connection& tx, int64_t order_id,
                          const OrderJobSettings& settings) {
  if (!settings.enabled) return;
  enqueue_for_order(tx, jobs::kQueueEmail, jobs::kOrderConfirmation, order_id, 0, settings);
  enqueue_for_order(tx, jobs::kQueueOrders, jobs::kOrderExpire, order_id, settings.payment_ttl_s,
                    settings);
}

void enqueue_order_shipped(common::pg::Connection& tx, int64_t order_id,
                           const OrderJobSettings& settings) {
  if (!settings.enabled) return;
  enqueue_for_order(tx, jobs::kQueueEmail, jobs::kOrderShipped, order_id, 0, settings);
}

void wake_mail_runners(common::pg::Connection& db, const OrderJobSettings& settings) noexcept {
  if (settings.enabled) wake_job_runners(db, jobs::kQueueEmail);
}

}  // namespace services
