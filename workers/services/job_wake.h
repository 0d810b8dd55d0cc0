// Waking idle job runners after a transaction that enqueued a job committed
// (repo::wake_job_runners says why not inside it).
#pragma once

#include <string>

#include "common/pg.h"

namespace services {

// NOTIFY for `queue` on `db`, outside any transaction. Never throws: the job
// is committed already, and a lost wake-up (logged at warn) only delays it to
// the runners' next poll (JOB_POLL_INTERVAL_MS). A caller must not turn a
// failed hint into a failed request whose change is done.
void wake_job_runners(common::pg::Connection& db, const std::string& queue) noexcept;

}  // namespace services
