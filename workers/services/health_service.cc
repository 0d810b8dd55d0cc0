#include "workers/services/health_service.h"

#include "workers/repositories/health_repository.h"

namespace services {

HealthReport check_health(common::pg::Connection& db) {
  HealthReport report;
  report.database_reachable = repo::ping(db);
  report.version = ECOMMERCE_VERSION;
  return report;
}

}  // namespace services
