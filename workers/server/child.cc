#include "workers/server/child.h"

namespace server {

const Role kWorkerRole{0, "worker", run_worker};

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
