// Where each value came from (default, env, file, derived), and the report
// `ecommerce-server config` prints.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/config_file.h"
#include "common/settings.h"
#include "tests/support/env.h"
#include "tests/support/temp_dir.h"

namespace {

using common::Source;

// The whitespace-separated fields of the report's line for `name`.
std::vector<std::string> report_line(const std::string& report, const std::string& name) {
  std::istringstream lines(report);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::vector<std::string> out;
    for (std::string f; fields >> f;) out.push_back(f);
    if (!out.empty() && out.front() == name) return out;
  }
  FAIL("no line for " << name);
  return {};
}

}  // namespace

TEST_CASE("each setting's value says where it came from", "[unit][config]") {
  test_support::TempDir dir("config-sources");
  const std::string path = (dir.path() / "server.conf").string();
  {
    std::ofstream out(path);
    out << "WORKERS=3\nMAX_REQUESTS=500\nLOG_LEVEL=\n";
  }
  common::SettingSources sources;
  const common::Config c = common::load_config_with_file(
      test_support::env_lookup({{"CONFIG_FILE", path},
                                {"WORKERS", "7"},
                                {"LOG_FORMAT", "json"},
                                {"LOG_LEVEL", "debug"},
                                {"DATABASE_URL", "postgresql://u:pw@h/db"}}),
      &sources);
  CHECK(sources.size() == common::settings::all().size());
  CHECK(sources.at("WORKERS") == Source::kFile);
  CHECK(sources.at("MAX_REQUESTS") == Source::kFile);
  CHECK(sources.at("LOG_FORMAT") == Source::kEnv);
  CHECK(sources.at("CONFIG_FILE") == Source::kEnv);
  CHECK(sources.at("STATE_DIR") == Source::kDefault);
  CHECK(sources.at("LISTEN") == Source::kDerived);
  CHECK(sources.at("MAX_REQUESTS_JITTER") == Source::kDerived);
  // An empty value in the file means the default, whatever the environment says.
  CHECK(sources.at("LOG_LEVEL") == Source::kDefault);
  CHECK(c.log_level == common::log::Level::kInfo);
  CHECK(c.max_requests_jitter == 50);

  const std::string report = common::settings::report(c, sources);
  CHECK(report_line(report, "WORKERS") == std::vector<std::string>{"WORKERS", "3", "file"});
  CHECK(report_line(report, "LOG_FORMAT") == std::vector<std::string>{"LOG_FORMAT", "json", "env"});
  CHECK(report_line(report, "STATE_DIR") ==
        std::vector<std::string>{"STATE_DIR", "./var", "default"});
  CHECK(report_line(report, "LISTEN") ==
        std::vector<std::string>{"LISTEN", "unix:./var/run/fcgi.sock", "derived"});
  CHECK(report_line(report, "DATABASE_URL") ==
        std::vector<std::string>{"DATABASE_URL", "****", "env"});
  CHECK(report.find("pw@") == std::string::npos);
}

TEST_CASE("without CONFIG_FILE values come from the environment or defaults", "[unit][config]") {
  common::SettingSources sources;
  const common::Config c = common::load_config_with_file(
      test_support::env_lookup({{"WORKERS", "5"}, {"POOL_MODE", ""}}), &sources);
  CHECK(c.workers == 5);
  CHECK(sources.at("WORKERS") == Source::kEnv);
  CHECK(sources.at("POOL_MODE") == Source::kDefault);  // empty means the default
  CHECK(sources.at("MIN_WORKERS") == Source::kDerived);
  CHECK(sources.at("CONFIG_FILE") == Source::kDefault);
}
