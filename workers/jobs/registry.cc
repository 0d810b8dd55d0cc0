// The one table of job kinds and their handlers.
#include "workers/jobs/registry.h"

#include "workers/jobs/cleanup_job.h"
#include "workers/jobs/job_kinds.h"
#include "workers/jobs/order_expire_job.h"

namespace jobs {

Registry job_registry() {
  return {
      // queue orders
      {kOrderExpire, run_order_expire},
      {kMaintenanceCleanup, run_cleanup},
      // queue email: kOrderConfirmation and kOrderShipped join here with the
      // mail sender.
      // queue inventory: kInventorySync and kStockReconcile join here with the
      // inventory code.
  };
}

}  // namespace jobs
