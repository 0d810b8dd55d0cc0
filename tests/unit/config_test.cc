#include "common/config.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "tests/support/env.h"

namespace {
common::Config load(const test_support::Env& env) { return test_support::config_from(env); }
}  // namespace

TEST_CASE("config has documented defaults", "[unit][config]") {
  const common::Config c = load({});
  CHECK(c.state_dir == "./var");
  CHECK(c.listen == "unix:./var/run/fcgi.sock");
  CHECK(c.workers >= 2);
  CHECK(c.workers % 2 == 0);  // 2 x cores
  CHECK(c.listen_backlog == 511);
  CHECK(c.graceful_timeout_s == 30);
  CHECK(c.max_body_bytes == 65536);
  CHECK(c.log_level == common::log::Level::kInfo);
  CHECK(c.log_format == common::log::Format::kText);
  CHECK(c.app_env == common::AppEnv::kDevelopment);
  CHECK(c.migrations_dir.ends_with("/sql/migrations"));
}

TEST_CASE("config reads the environment", "[unit][config]") {
  const common::Config c = load({{"STATE_DIR", "/srv/x"},
                                 {"WORKERS", "7"},
                                 {"DATABASE_URL", "postgresql:///db"},
                                 {"LOG_FORMAT", "json"},
                                 {"LISTEN", "127.0.0.1:9000"}});
  CHECK(c.workers == 7);
  CHECK(c.listen == "127.0.0.1:9000");
  CHECK(c.database_url == "postgresql:///db");
  CHECK(c.log_format == common::log::Format::kJson);
  CHECK(load({{"STATE_DIR", "/srv/x"}}).listen == "unix:/srv/x/run/fcgi.sock");
}

TEST_CASE("config refuses bad values and names every one", "[unit][config]") {
  try {
    load({{"WORKERS", "0"},
          {"LOG_LEVEL", "loud"},
          {"GRACEFUL_TIMEOUT", "soon"},
          {"APP_ENV", "staging"},
          {"MAX_BODY_BYTES", "-1"}});
    FAIL("expected ConfigError");
  } catch (const common::ConfigError& e) {
    CHECK(e.problems().size() == 5);
  }
  CHECK_THROWS_AS(load({{"WORKERS", "4x"}}), common::ConfigError);
}

TEST_CASE("config description masks secrets", "[unit][config]") {
  const auto lines = common::describe(
      load({{"DATABASE_URL", "postgresql://u:hunter2@h/db"}, {"ADMIN_PASSWORD", "pw"}}));
  for (const auto& line : lines) {
    CHECK(line.find("hunter2") == std::string::npos);
    CHECK(line.find("=pw") == std::string::npos);
  }
}
