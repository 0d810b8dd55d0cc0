// APP_ENV=production refuses the settings that only make sense in development.
#include <catch2/catch.hpp>
#include <string>

#include "common/config.h"
#include "tests/support/env.h"

namespace {

// The one problem load_config reports for `env`, or "" when it loads.
std::string problem_of(const test_support::Env& env) {
  try {
    (void)test_support::config_from(env);
  } catch (const common::ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    return e.problems().front();
  }
  return "";
}

}  // namespace

TEST_CASE("production refuses the test routes", "[unit][config]") {
  CHECK(problem_of({{"APP_ENV", "production"}, {"ENABLE_TEST_ROUTES", "1"}}) ==
        "ENABLE_TEST_ROUTES=1 is not allowed when APP_ENV=production");
  CHECK(problem_of({{"APP_ENV", "production"}, {"ENABLE_TEST_ROUTES", "0"}}).empty());
  CHECK(problem_of({{"APP_ENV", "development"}, {"ENABLE_TEST_ROUTES", "1"}}).empty());
}

TEST_CASE("production refuses a bcrypt cost below 10", "[unit][config]") {
  CHECK(problem_of({{"APP_ENV", "production"}, {"BCRYPT_COST", "9"}}) ==
        "BCRYPT_COST must be at least 10 when APP_ENV=production, got 9");
  CHECK(problem_of({{"APP_ENV", "production"}, {"BCRYPT_COST", "4"}}) ==
        "BCRYPT_COST must be at least 10 when APP_ENV=production, got 4");
  CHECK(problem_of({{"APP_ENV", "production"}, {"BCRYPT_COST", "10"}}).empty());
  CHECK(problem_of({{"APP_ENV", "development"}, {"BCRYPT_COST", "4"}}).empty());
}

TEST_CASE("production names every risky setting at once", "[unit][config]") {
  try {
    (void)test_support::config_from(
        {{"APP_ENV", "production"}, {"ENABLE_TEST_ROUTES", "1"}, {"BCRYPT_COST", "5"}});
    FAIL("expected ConfigError");
  } catch (const common::ConfigError& e) {
    CHECK(e.problems().size() == 2);
  }
}
