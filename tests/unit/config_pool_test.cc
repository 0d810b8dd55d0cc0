// The pool's settings and CONFIG_FILE.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "common/config.h"
#include "common/config_file.h"
#include "tests/support/env.h"

namespace {

using test_support::env_lookup;

common::Config load(const test_support::Env& env) { return test_support::config_from(env); }

}  // namespace

TEST_CASE("pool settings have documented defaults", "[unit][config][pool]") {
  const common::Config c = load({{"STATE_DIR", "/srv/s"}, {"WORKERS", "4"}});
  CHECK(c.pool_mode == common::PoolMode::kStatic);
  CHECK(c.min_workers == 1);
  CHECK(c.max_workers >= 4);
  CHECK(c.min_spare == 1);
  CHECK(c.max_spare == 3);
  CHECK(c.idle_timeout_s == 10);
  CHECK(c.reload_batch == 2);
  CHECK(c.max_requests == 0);
  CHECK(c.max_requests_jitter == 0);
  CHECK(c.max_rss_mb == 0);
  CHECK(c.request_slow_ms == 5000);
  CHECK(c.request_timeout_s == 30);
  CHECK(c.db_reserved_connections == 3);
  CHECK(c.status_listen == "unix:/srv/s/run/status.sock");
  CHECK(c.control_socket == "/srv/s/run/ctl.sock");
  CHECK(c.pid_file == "/srv/s/run/server.pid");
  CHECK(c.log_file.empty());
  CHECK_FALSE(c.enable_test_routes);
  CHECK(load({{"POOL_MODE", "dynamic"}}).min_workers == 2);
  CHECK(load({{"MAX_REQUESTS", "1000"}}).max_requests_jitter == 100);
  CHECK(load({{"MAX_REQUESTS", "1000"}, {"MAX_REQUESTS_JITTER", "0"}}).max_requests_jitter == 0);
}

TEST_CASE("inconsistent pool settings are refused, each named", "[unit][config][pool]") {
  const std::vector<std::map<std::string, std::string>> bad = {
      {{"POOL_MODE", "elastic"}},
      {{"WORKERS", "9"}, {"MAX_WORKERS", "8"}},
      {{"WORKERS", "1"}, {"MIN_WORKERS", "2"}},
      {{"MIN_WORKERS", "5"}, {"MAX_WORKERS", "4"}, {"POOL_MODE", "dynamic"}},
      {{"MIN_SPARE", "4"}, {"MAX_SPARE", "3"}},
      {{"REQUEST_TIMEOUT_S", "-1"}},
      {{"ENABLE_TEST_ROUTES", "yes"}},
      {{"STATUS_LISTEN", "unix:/a"}, {"LISTEN", "unix:/a"}},
  };
  for (const auto& env : bad) {
    INFO(env.begin()->first << "=" << env.begin()->second);
    CHECK_THROWS_AS(load(env), common::ConfigError);
  }
}

TEST_CASE("a config file is KEY=VALUE lines with comments and quotes", "[unit][config][pool]") {
  const auto values = common::parse_config_file(
      "# pool\n\nWORKERS=6\n  LOG_LEVEL = debug  \nLOG_FILE=\"/var/log/a b.log\"\nEMPTY=\n");
  CHECK(values.at("WORKERS") == "6");
  CHECK(values.at("LOG_LEVEL") == "debug");
  CHECK(values.at("LOG_FILE") == "/var/log/a b.log");
  CHECK(values.at("EMPTY").empty());
}

TEST_CASE("a bad config file names each bad line", "[unit][config][pool]") {
  try {
    common::parse_config_file("WORKERS=2\nnot a pair\nlower=1\nCONFIG_FILE=/x\n");
    FAIL("no error");
  } catch (const common::ConfigError& e) {
    REQUIRE(e.problems().size() == 3);
    CHECK(e.problems()[0].find("line 2") != std::string::npos);
    CHECK(e.problems()[1].find("line 3") != std::string::npos);
    CHECK(e.problems()[2].find("line 4") != std::string::npos);
  }
}

TEST_CASE("CONFIG_FILE overrides the environment", "[unit][config][pool]") {
  char path[] = "/tmp/pool-config-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  {
    std::ofstream out(path);
    out << "WORKERS=3\nMAX_REQUESTS=500\n";
  }
  const common::Config c = common::load_config_with_file(
      env_lookup({{"CONFIG_FILE", path}, {"WORKERS", "7"}, {"LOG_FORMAT", "json"}}));
  CHECK(c.workers == 3);                              // from the file
  CHECK(c.max_requests == 500);                       // from the file
  CHECK(c.log_format == common::log::Format::kJson);  // from the environment
  CHECK(c.config_file == path);
  {
    std::ofstream out(path);
    out << "WORKERS=lots\n";
  }
  CHECK_THROWS_AS(common::load_config_with_file(env_lookup({{"CONFIG_FILE", path}})),
                  common::ConfigError);
  std::remove(path);
  CHECK_THROWS_AS(common::load_config_with_file(env_lookup({{"CONFIG_FILE", path}})),
                  common::ConfigError);
}
