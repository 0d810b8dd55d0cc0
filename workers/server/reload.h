// SIGHUP / `ecommerce-ctl reload`: reading the configuration again and
// deciding whether the running master can take it. Applying it (the new
// generation of workers, "reload accepted") is the master's.
//
// A reload is refused (logged, the pool keeps its configuration) when the
// new configuration is invalid, asks for more MAX_WORKERS than this master's
// scoreboard was made for, or would not fit PostgreSQL's connection limit.
// Settings bound to the sockets and files the master holds keep their running
// values (restart_only_settings()).
#pragma once

#include <json/value.h>

#include <optional>
#include <string>

#include "common/config.h"
#include "common/settings.h"
#include "workers/server/db_admin.h"

namespace server {

struct ReloadPlan {
  common::Config config;               // what to run from now on
  int target = 0;                      // the pool's new target
  Json::Value kept{Json::arrayValue};  // restart-only settings that kept their running values
  std::vector<common::settings::SettingChange> changes;  // every setting that differs
};

// Loads the configuration as main() does (environment + CONFIG_FILE, the JWT
// secret). nullopt with the reason in `message` when refused.
std::optional<ReloadPlan> plan_reload(const common::Config& running, int scoreboard_capacity,
                                      int runtime_target, const std::optional<DbLimits>& db_limits,
                                      std::string& message);

// Puts the running value back into `fresh` for every setting that only a
// restart changes (the settings table's "restart" rows: STATE_DIR, LISTEN,
// LISTEN_BACKLOG, ...); returns the names of those that differed.
Json::Value restart_only_settings(common::Config& fresh, const common::Config& running);

// One log line per changed setting of an accepted reload: "setting changed,
// applied" (info) or "setting changed, needs restart" (warn), secrets masked.
void log_setting_changes(const std::vector<common::settings::SettingChange>& changes);

// Switches the master's logging to the new LOG_LEVEL, LOG_FORMAT and
// LOG_FILE. A LOG_FILE that cannot be opened is logged and the running one
// kept (in `fresh` too).
void apply_log_settings(common::Config& fresh, const common::Config& running);

}  // namespace server
