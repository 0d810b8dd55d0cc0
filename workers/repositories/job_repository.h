// The job queue (table jobs, migration 0005): enqueueing. Named SQL only.
//
// enqueue() runs on the caller's connection, inside the caller's transaction
// when there is one: the job exists if and only if that transaction commits
// (transactional outbox). It also sends NOTIFY on channel kJobsChannel, which
// PostgreSQL delivers only at commit, so a runner LISTENing wakes when the job
// becomes visible and never before.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/pg.h"

namespace repo {

// The LISTEN/NOTIFY channel enqueue() notifies; the payload is the queue name.
inline constexpr const char* kJobsChannel = "jobs";

struct NewJob {
  std::string queue;  // "email" | "orders" | "inventory" (checked by the table)
  std::string kind;   // what the runner dispatches on, e.g. "order.confirmation"
  Json::Value payload = Json::Value(Json::objectValue);
  int max_attempts = 8;                   // JOB_MAX_ATTEMPTS
  int64_t delay_s = 0;                    // run_at = now() + delay_s (0: at once)
  std::optional<std::string> dedupe_key;  // unique over all jobs ever enqueued
};

// Inserts the job (state queued) and notifies. Returns its id, or nullopt when
// a job with the same dedupe key already exists (nothing is inserted then).
[[nodiscard]] std::optional<int64_t> enqueue_job(common::pg::Connection& db, const NewJob& job);

}  // namespace repo
