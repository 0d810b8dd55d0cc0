// The job queue (table jobs, migration 0005): enqueueing. Named SQL only.
//
// enqueue_job() runs on the caller's connection, inside the caller's
// transaction when there is one: the job exists if and only if that
// transaction commits (transactional outbox). It does not wake the runners:
// call wake_job_runners() once that transaction has committed. A NOTIFY inside
// it would make its commit take PostgreSQL's notify lock (one per database,
// taken by every committing transaction that notified) before the commit's WAL
// flush and hold it until the flush is done, so every notifying checkout would
// flush alone, one after another (pgbench on the checkout transaction, 16
// sessions, 3 rounds: 7, 22 and 24% fewer transactions/s with the NOTIFY
// inside than with it after the commit).
#pragma once

#include <json/value.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/pg.h"

namespace repo {

// The LISTEN/NOTIFY channel wake_job_runners() notifies; the payload is the
// queue name.
inline constexpr const char* kJobsChannel = "jobs";

struct NewJob {
  std::string queue;  // "email" | "orders" | "inventory" (checked by the table)
  std::string kind;   // what the runner dispatches on, e.g. "order.confirmation"
  Json::Value payload = Json::Value(Json::objectValue);
  int max_attempts = 8;                   // JOB_MAX_ATTEMPTS
  int64_t delay_s = 0;                    // run_at = now() + delay_s (0: at once)
  std::optional<std::string> dedupe_key;  // unique over all jobs ever enqueued
};

// Inserts the job (state queued). Returns its id, or nullopt when a job with
// the same dedupe key already exists (nothing is inserted then).
[[nodiscard]] std::optional<int64_t> enqueue_job(common::pg::Connection& db, const NewJob& job);

// NOTIFY kJobsChannel with the queue's name, so that idle runners look for
// due jobs now instead of at their next poll (JOB_POLL_INTERVAL_MS). Call it
// outside any transaction, after the enqueueing one committed: on its own it
// writes no WAL, so its commit does not wait for a flush and holds the notify
// lock only for a moment. Only a hint: a job whose wake-up is lost (the
// process died between the two) runs at the next poll. Throws DbError.
void wake_job_runners(common::pg::Connection& db, const std::string& queue);

}  // namespace repo
