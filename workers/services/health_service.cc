#include "workers/services/health_service.h"

#include "workers/repositories/health_repository.h"

namespace services {

HealthReport check_health(common::pg::Connection& db, common::cache::Cache* cache) {
  HealthReport report;
  report.database_reachable = repo::ping(db);
  if (cache) report.cache = common::cache::health_name(cache->health());
  report.version = ECOMMERCE_VERSION;
  return report;
}

}  // namespace services
