// The job kinds of the queue, each with its queue and payload. The names are
// stored in jobs.kind and shown by the admin endpoints; never rename one that
// may be queued.
//
//   kind                 queue      payload                       dedupe key
//   order.confirmation   email      {order_id}                    order.confirmation:{order_id}
//   order.shipped        email      {order_id}                    order.shipped:{order_id}
//   order.expire         orders     {order_id}                    order.expire:{order_id}
//   inventory.sync       inventory  {items: [{sku, on_hand}], source}   (none)
//   stock.reconcile      inventory  {period}                      stock.reconcile:{period}
//   maintenance.cleanup  orders     {period}                      maintenance.cleanup:{period}
//
// {period} of a periodic job is floor(epoch seconds / interval): every process
// on every host computes the same key for the same period, so the period is
// enqueued once.
#pragma once

namespace jobs {

inline constexpr const char* kQueueEmail = "email";
inline constexpr const char* kQueueOrders = "orders";
inline constexpr const char* kQueueInventory = "inventory";

inline constexpr const char* kOrderConfirmation = "order.confirmation";
inline constexpr const char* kOrderShipped = "order.shipped";
inline constexpr const char* kOrderExpire = "order.expire";
inline constexpr const char* kInventorySync = "inventory.sync";
inline constexpr const char* kStockReconcile = "stock.reconcile";
// Hourly: expired idempotency keys, dead refresh tokens, old login and
// registration attempts (workers/jobs/cleanup_job.h).
inline constexpr const char* kMaintenanceCleanup = "maintenance.cleanup";

}  // namespace jobs
