// What a reload does with each changed setting: the table says whether it is
// applied or needs a restart (common/settings.h: diff, keep_restart_only).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/settings.h"
#include "tests/support/env.h"

namespace {

using common::settings::Reload;
using common::settings::SettingChange;

const SettingChange* change_of(const std::vector<SettingChange>& changes, const char* name) {
  for (const auto& c : changes) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a reload diff names each change as applied or needing a restart",
          "[unit][config][reload]") {
  const common::Config running = test_support::config_from({{"WORKERS", "4"}});
  const common::Config fresh = test_support::config_from({{"WORKERS", "6"},
                                                          {"LOG_LEVEL", "debug"},
                                                          {"LISTEN", "127.0.0.1:9000"},
                                                          {"JWT_SECRET", std::string(32, 's')}});
  const auto changes = common::settings::diff(running, fresh);
  // A TCP LISTEN also brings its derived FCGI_ALLOWED_ADDRS (loopback only).
  REQUIRE(changes.size() == 5);

  const SettingChange* allowed = change_of(changes, "FCGI_ALLOWED_ADDRS");
  REQUIRE(allowed != nullptr);
  CHECK(allowed->to == "127.0.0.1,::1");
  CHECK(allowed->reload == Reload::kRestart);

  const SettingChange* workers = change_of(changes, "WORKERS");
  REQUIRE(workers != nullptr);
  CHECK(workers->from == "4");
  CHECK(workers->to == "6");
  CHECK(workers->reload == Reload::kApplied);

  const SettingChange* level = change_of(changes, "LOG_LEVEL");
  REQUIRE(level != nullptr);
  CHECK(level->from == "info");
  CHECK(level->to == "debug");

  const SettingChange* listen = change_of(changes, "LISTEN");
  REQUIRE(listen != nullptr);
  CHECK(listen->to == "127.0.0.1:9000");
  CHECK(listen->reload == Reload::kRestart);

  const SettingChange* secret = change_of(changes, "JWT_SECRET");
  REQUIRE(secret != nullptr);
  CHECK(secret->from == "(unset)");
  CHECK(secret->to == "****");
  CHECK(secret->reload == Reload::kApplied);

  CHECK(common::settings::diff(running, running).empty());
}

TEST_CASE("a reload keeps the running value of every restart-only setting",
          "[unit][config][reload]") {
  const common::Config running = test_support::config_from({});
  common::Config fresh = test_support::config_from(
      {{"STATE_DIR", "/srv/other"}, {"LISTEN_BACKLOG", "128"}, {"MAX_REQUESTS", "1000"}});
  common::settings::keep_restart_only(running, fresh);
  CHECK(fresh.state_dir == running.state_dir);
  CHECK(fresh.listen_backlog == running.listen_backlog);
  CHECK(fresh.status_listen == running.status_listen);  // derived from STATE_DIR, kept too
  CHECK(fresh.pid_file == running.pid_file);
  CHECK(fresh.max_requests == 1000);  // applied
  for (const auto& change : common::settings::diff(running, fresh)) {
    INFO(change.name);
    CHECK(change.reload == Reload::kApplied);
  }
}

TEST_CASE("the settings bound to the master's sockets and files need a restart",
          "[unit][config][reload]") {
  for (const char* name : {"STATE_DIR", "LISTEN", "LISTEN_BACKLOG", "STATUS_LISTEN",
                           "CONTROL_SOCKET", "PID_FILE", "CONFIG_FILE"}) {
    INFO(name);
    const auto* s = common::settings::find(name);
    REQUIRE(s != nullptr);
    CHECK(s->reload == Reload::kRestart);
  }
  const auto* workers = common::settings::find("WORKERS");
  REQUIRE(workers != nullptr);
  CHECK(workers->reload == Reload::kApplied);
}
