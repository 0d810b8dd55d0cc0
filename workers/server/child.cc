#include "workers/server/child.h"

#include "workers/server/job_runner.h"

namespace server {

const Role kWorkerRole{0, "worker", run_worker};
const Role kJobRunnerRole{1, "job-runner", run_job_runner};

const char* leave_reason_name(LeaveReason reason) {
  switch (reason) {
    case LeaveReason::kNone:
      return "none";
    case LeaveReason::kRetired:
      return "retired";
    case LeaveReason::kReload:
      return "reload";
    case LeaveReason::kMaxRequests:
      return "max_requests";
    case LeaveReason::kMaxRss:
      return "max_rss";
    case LeaveReason::kTimeout:
      return "request_timeout";
    case LeaveReason::kStop:
      return "graceful_stop";
    case LeaveReason::kFastStop:
      return "fast_stop";
  }
  return "none";
}

}  // namespace server
