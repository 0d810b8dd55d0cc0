#include "workers/server/reload.h"

#include <cstdlib>

#include "common/config_file.h"
#include "common/log.h"
#include "common/secrets.h"
#include "common/settings.h"
#include "workers/server/sizing.h"

namespace server {

Json::Value restart_only_settings(common::Config& fresh, const common::Config& running) {
  Json::Value kept(Json::arrayValue);
  for (const auto& change : common::settings::diff(running, fresh)) {
    if (change.reload == common::settings::Reload::kRestart) kept.append(change.name);
  }
  common::settings::keep_restart_only(running, fresh);
  return kept;
}

void log_setting_changes(const std::vector<common::settings::SettingChange>& changes) {
  for (const auto& change : changes) {
    const bool applied = change.reload == common::settings::Reload::kApplied;
    common::log::write(applied ? common::log::Level::kInfo : common::log::Level::kWarn,
                       applied ? "setting changed, applied" : "setting changed, needs restart",
                       {{"setting", change.name}, {"from", change.from}, {"to", change.to}});
  }
}

std::optional<ReloadPlan> plan_reload(const common::Config& running, int scoreboard_capacity,
                                      int runtime_target, const std::optional<DbLimits>& db_limits,
                                      std::string& message) {
  ReloadPlan plan;
  try {
    plan.config = common::load_config_with_file([](const char* name) { return std::getenv(name); });
    common::ensure_jwt_secret(plan.config);  // as main() does before serve()
  } catch (const common::ConfigError& e) {
    Json::Value problems(Json::arrayValue);
    for (const auto& p : e.problems()) problems.append(p);
    common::log::error("reload refused: invalid configuration; the pool keeps its current one",
                       {{"problems", problems}});
    message = std::string("invalid configuration: ") + e.what();
    return std::nullopt;
  }
  plan.changes = common::settings::diff(running, plan.config);
  plan.kept = restart_only_settings(plan.config, running);

  const common::Config& fresh = plan.config;
  const int capacity_limit = max_workers_within(scoreboard_capacity);
  if (fresh.max_workers > capacity_limit) {
    message = "MAX_WORKERS " + std::to_string(fresh.max_workers) + " needs a restart (above " +
              std::to_string(capacity_limit) + ", the size this master's scoreboard was made for)";
    common::log::error("reload refused", {{"reason", message}});
    return std::nullopt;
  }
  plan.target = pool_target(fresh, runtime_target);
  if (!fits_database(fresh, db_limits, largest_pool(fresh, plan.target), message)) {
    common::log::error("reload refused: pool too large for PostgreSQL", {{"reason", message}});
    return std::nullopt;
  }
  return plan;
}

void apply_log_settings(common::Config& fresh, const common::Config& running) {
  common::init_logging(fresh);
  if (!fresh.log_file.empty() && fresh.log_file != running.log_file) {
    std::string error;
    if (!common::log::redirect_to_file(fresh.log_file, error)) {
      common::log::error("cannot open the new LOG_FILE; keeping the old one", {{"reason", error}});
      fresh.log_file = running.log_file;
    }
  }
}

}  // namespace server
