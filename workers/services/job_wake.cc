#include "workers/services/job_wake.h"

#include <exception>

#include "common/log.h"
#include "workers/repositories/job_repository.h"

namespace services {

void wake_job_runners(common::pg::Connection& db, const std::string& queue) noexcept {
  try {
    repo::wake_job_runners(db, queue);
  } catch (const std::exception& e) {
    common::log::warn("job wake-up not sent; the runners find the job at their next poll",
                      {{"queue", queue}, {"error", e.what()}});
  }
}

}  // namespace services
