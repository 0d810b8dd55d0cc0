#include "workers/jobs/order_expire_job.h"

#include <string>

#include "workers/services/order_service.h"

namespace jobs {

Json::Value run_order_expire(JobContext& ctx, const Json::Value& payload) {
  const Json::Value& id = payload["order_id"];
  if (!id.isInt64() || id.asInt64() <= 0) {
    throw JobFailed("payload has no positive integer order_id");
  }
  const int64_t order_id = id.asInt64();
  Json::Value result(Json::objectValue);
  result["order_id"] = static_cast<Json::Int64>(order_id);
  switch (services::expire_unpaid_order(ctx.db, order_id, ctx.cache)) {
    case services::ExpiryOutcome::kExpired:
      result["outcome"] = "expired";
      break;
    case services::ExpiryOutcome::kSettled:
      result["outcome"] = "settled";
      break;
    case services::ExpiryOutcome::kNoSuchOrder:
      throw JobFailed("order " + std::to_string(order_id) + " does not exist");
  }
  return result;
}

}  // namespace jobs
