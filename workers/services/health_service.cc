#include "workers/services/health_service.h"

#include "workers/repositories/health_repository.h"

namespace services {

HealthReport check_health(common::pg::Connection& db, common::cache::Cache* cache,
                          common::ReadReplica* replica) {
  HealthReport report;
  report.database_reachable = repo::ping(db);
  if (cache) report.cache = common::cache::health_name(cache->health());
  if (replica) {
    report.replica =
        common::replica_state_name(replica->state(cache ? cache->replay_target() : std::nullopt));
  }
  report.version = ECOMMERCE_VERSION;
  return report;
}

}  // namespace services
