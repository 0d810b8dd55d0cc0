// The order.expire job (queue orders, payload {order_id}): an order still
// `created` when its payment time (ORDER_PAYMENT_TTL_S after checkout) is up
// is cancelled by the system (services::expire_unpaid_order).
//
// Result: {"order_id": N, "outcome": "expired"} when it cancelled the order,
// {"order_id": N, "outcome": "settled"} when the order had been paid or
// cancelled meanwhile (nothing changes). A payload without a positive integer
// order_id, or an order that does not exist, is JobFailed (dead at once).
#pragma once

#include <json/value.h>

#include "workers/jobs/job_handler.h"

namespace jobs {

Json::Value run_order_expire(JobContext& ctx, const Json::Value& payload);

}  // namespace jobs
