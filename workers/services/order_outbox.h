// The order jobs written in the transaction of the order change that causes
// them (transactional outbox, API.md "Background jobs and notifications"):
//
//   checkout  -> order.confirmation (queue email, at once)
//                order.expire       (queue orders, after ORDER_PAYMENT_TTL_S)
//   ship      -> order.shipped      (queue email, at once)
//
// Each is enqueued with the dedupe key "<kind>:<order_id>" (job_kinds.h), so
// an order event yields its job once. Call inside the transaction that makes
// the change: a rollback leaves no job, a commit leaves exactly one. Once it
// has committed, wake_mail_runners() tells idle runners (repo::wake_job_runners
// says why not inside it).
#pragma once

#include <cstdint>

#include "common/config.h"
#include "common/pg.h"

namespace services {

struct OrderJobSettings {
  // JOBS_OUTBOX: false (a benchmark switch only) enqueues nothing.
  bool enabled = true;
  int max_attempts = 8;          // JOB_MAX_ATTEMPTS
  int64_t payment_ttl_s = 1800;  // ORDER_PAYMENT_TTL_S
};

OrderJobSettings order_job_settings(const common::Config& config);

// The confirmation mail and the expiry of an order just placed.
void enqueue_order_placed(common::pg::Connection& tx, int64_t order_id,
                          const OrderJobSettings& settings);

// The shipping notice of an order just shipped.
void enqueue_order_shipped(common::pg::Connection& tx, int64_t order_id,
                           const OrderJobSettings& settings);

// After the transaction that enqueued a mail job committed: wakes the email
// queue's idle runners (job_wake.h: never throws).
void wake_mail_runners(common::pg::Connection& db, const OrderJobSettings& settings) noexcept;

}  // namespace services
