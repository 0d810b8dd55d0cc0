// The settings table (common/settings.h): each row parses, validates and
// displays its value, and its documented default is the one Config starts with.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "common/settings.h"
#include "tests/support/env.h"

namespace {

using common::settings::Setting;

const Setting& row(const char* name) {
  const Setting* s = common::settings::find(name);
  REQUIRE(s != nullptr);
  return *s;
}

std::string problem_of(const test_support::Env& env) {
  try {
    test_support::config_from(env);
  } catch (const common::ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    return e.problems().front();
  }
  FAIL("expected ConfigError");
  return {};
}

// The text of `s` with its Markdown backticks removed.
std::string plain(std::string s) {
  std::erase(s, '`');
  return s;
}

}  // namespace

TEST_CASE("every setting is declared once, with a meaning and a default", "[unit][config]") {
  std::set<std::string> names;
  for (const Setting& s : common::settings::all()) {
    INFO(s.name);
    CHECK(names.insert(s.name).second);
    CHECK(std::string(s.meaning).find('|') == std::string::npos);
    CHECK(std::string(s.default_text).find('|') == std::string::npos);
    CHECK_FALSE(std::string(s.meaning).empty());
    CHECK_FALSE(std::string(s.default_text).empty());
  }
  CHECK(names.count("WORKERS") == 1);
  CHECK(names.count("ENABLE_TEST_ROUTES") == 1);
  CHECK(common::settings::find("HTTP_PORT") == nullptr);  // read by scripts/, not the binary
}

TEST_CASE("the table's defaults are the ones Config starts with", "[unit][config]") {
  const common::Config defaults;
  for (const Setting& s : common::settings::all()) {
    const std::string value = common::settings::display(s, defaults);
    if (s.derived || value == "(unset)") continue;  // described in words, computed in code
    INFO(s.name << ": table says '" << s.default_text << "', Config has '" << value << "'");
    const std::string documented = plain(s.default_text);
    CHECK(documented.starts_with(value));
    CHECK((documented.size() == value.size() || documented[value.size()] == ' '));
  }
}

TEST_CASE("each enum setting accepts exactly the values it lists", "[unit][config]") {
  for (const Setting& s : common::settings::all()) {
    for (const auto value : s.values) {
      INFO(s.name << "=" << value);
      common::Config c;
      CHECK_FALSE(common::settings::parse(s, value, c).has_value());
      CHECK(common::settings::display(s, c) == value);
    }
  }
  common::Config c;
  CHECK_FALSE(common::settings::parse(row("LOG_LEVEL"), "warning", c).has_value());
  CHECK(c.log_level == common::log::Level::kWarn);
  CHECK(common::settings::parse(row("POOL_MODE"), "Static", c).has_value());
  CHECK(c.pool_mode == common::PoolMode::kStatic);  // untouched by a bad value
}

TEST_CASE("modes and levels are parsed once, into enums", "[unit][config]") {
  const common::Config c = test_support::config_from({{"POOL_MODE", "dynamic"},
                                                      {"LOG_LEVEL", "debug"},
                                                      {"LOG_FORMAT", "json"},
                                                      {"APP_ENV", "production"}});
  CHECK(c.pool_mode == common::PoolMode::kDynamic);
  CHECK(c.log_level == common::log::Level::kDebug);
  CHECK(c.log_format == common::log::Format::kJson);
  CHECK(c.app_env == common::AppEnv::kProduction);
}

TEST_CASE("a bad value is named with what the setting accepts", "[unit][config]") {
  CHECK(problem_of({{"LOG_LEVEL", "loud"}}) ==
        "LOG_LEVEL must be debug, info, warn or error, got 'loud'");
  CHECK(problem_of({{"LOG_FORMAT", "xml"}}) == "LOG_FORMAT must be text or json, got 'xml'");
  CHECK(problem_of({{"APP_ENV", "staging"}}) ==
        "APP_ENV must be development or production, got 'staging'");
  CHECK(problem_of({{"POOL_MODE", "elastic"}}) ==
        "POOL_MODE must be static or dynamic, got 'elastic'");
  CHECK(problem_of({{"WORKERS", "0"}}) == "WORKERS must be an integer between 1 and 512, got '0'");
  CHECK(problem_of({{"BCRYPT_COST", "4x"}}) ==
        "BCRYPT_COST must be an integer between 4 and 15, got '4x'");
  CHECK(problem_of({{"ENABLE_TEST_ROUTES", "yes"}}) ==
        "ENABLE_TEST_ROUTES must be 0 or 1, got 'yes'");
  CHECK(problem_of({{"JWT_SECRET", "short-secret"}}) == "JWT_SECRET must be at least 32 bytes");
}

TEST_CASE("secrets are masked wherever values are shown", "[unit][config]") {
  const common::Config c =
      test_support::config_from({{"DATABASE_URL", "postgresql://u:hunter2@h/db"},
                                 {"JWT_SECRET", std::string(40, 'j')},
                                 {"ADMIN_PASSWORD", "pw-secret"}});
  for (const char* name : {"DATABASE_URL", "JWT_SECRET", "ADMIN_PASSWORD"}) {
    INFO(name);
    CHECK(row(name).secret);
    CHECK(common::settings::display(row(name), c) == "****");
  }
  CHECK(common::settings::display(row("ADMIN_PASSWORD"), common::Config()) == "(unset)");
  const auto lines = common::describe(c);
  CHECK(lines.size() == common::settings::all().size());
  CHECK(lines.front() == "DATABASE_URL=****");
  for (const auto& line : lines) {
    CHECK(line.find("hunter2") == std::string::npos);
    CHECK(line.find("pw-secret") == std::string::npos);
    CHECK(line.find("jjjj") == std::string::npos);
  }
}
