// The one table of job kinds and their handlers.
#include "workers/jobs/registry.h"

#include "workers/jobs/cleanup_job.h"
#include "workers/jobs/inventory_jobs.h"
#include "workers/jobs/job_kinds.h"
#include "workers/jobs/order_expire_job.h"
#include "workers/jobs/order_mail_jobs.h"

namespace jobs {

Registry job_registry() {
  return {
      // queue email
      {kOrderConfirmation, send_order_confirmation},
      {kOrderShipped, send_order_shipped},
      // queue orders
      {kOrderExpire, run_order_expire},
      {kMaintenanceCleanup, run_cleanup},
      // queue inventory
      {kInventorySync, run_inventory_sync},
      {kStockReconcile, run_stock_reconcile},
  };
}

}  // namespace jobs
