// The cross-checks of APP_ENV=production (production_problems in
// common/config.h): settings that only make sense in development.
#include <string>
#include <vector>

#include "common/config.h"

namespace common {

std::vector<std::string> production_problems(const Config& c) {
  std::vector<std::string> problems;
  if (c.app_env != AppEnv::kProduction) return problems;
  if (c.enable_test_routes) {
    problems.push_back("ENABLE_TEST_ROUTES=1 is not allowed when APP_ENV=production");
  }
  if (c.bcrypt_cost < kMinProductionBcryptCost) {
    problems.push_back("BCRYPT_COST must be at least " + std::to_string(kMinProductionBcryptCost) +
                       " when APP_ENV=production, got " + std::to_string(c.bcrypt_cost));
  }
  if (!c.jobs_outbox) {
    problems.push_back("JOBS_OUTBOX=0 (a benchmark switch) is not allowed when APP_ENV=production");
  }
  return problems;
}

}  // namespace common
