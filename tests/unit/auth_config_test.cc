// The accounts settings of common/config.h and the development JWT key file
// of common/secrets.h.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/config.h"
#include "common/secrets.h"
#include "tests/support/env.h"
#include "tests/support/temp_dir.h"

namespace {

common::Config load(const test_support::Env& env) { return test_support::config_from(env); }

}  // namespace

TEST_CASE("accounts settings have the documented defaults", "[unit][config][auth]") {
  const common::Config c = load({});
  CHECK(c.jwt_secret.empty());
  CHECK(c.access_token_ttl_s == 900);
  CHECK(c.refresh_token_ttl_s == 2592000);
  CHECK(c.bcrypt_cost == 12);
  CHECK(c.login_max_fails_per_account == 10);
  CHECK(c.login_account_window_s == 900);
  CHECK(c.login_max_fails_per_address == 30);
  CHECK(c.login_address_window_s == 60);
}

TEST_CASE("accounts settings are read and range-checked", "[unit][config][auth]") {
  const common::Config c = load({{"JWT_SECRET", std::string(40, 'k')},
                                 {"ACCESS_TOKEN_TTL_S", "120"},
                                 {"BCRYPT_COST", "4"},
                                 {"LOGIN_MAX_FAILS_PER_ADDRESS", "5"}});
  CHECK(c.jwt_secret == std::string(40, 'k'));
  CHECK(c.access_token_ttl_s == 120);
  CHECK(c.bcrypt_cost == 4);
  CHECK(c.login_max_fails_per_address == 5);
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"BCRYPT_COST", "3"},
                                                        {"BCRYPT_COST", "16"},
                                                        {"JWT_SECRET", "too-short"},
                                                        {"ACCESS_TOKEN_TTL_S", "0"},
                                                        {"REFRESH_TOKEN_TTL_S", "lots"},
                                                        {"LOGIN_ACCOUNT_WINDOW_S", "-5"}}) {
    INFO(name << "=" << value);
    CHECK_THROWS_AS(load({{name, value}}), common::ConfigError);
  }
}

TEST_CASE("the JWT secret is masked in the start-up description", "[unit][config][auth]") {
  const std::string secret(40, 'z');
  for (const auto& line : common::describe(load({{"JWT_SECRET", secret}}))) {
    CHECK(line.find(secret) == std::string::npos);
  }
}

TEST_CASE("development generates the JWT key once, 0600, and reuses it", "[unit][config][auth]") {
  test_support::TempDir dir("auth-config");
  common::Config c;
  c.state_dir = (dir.path() / "state").string();  // made on demand
  common::ensure_jwt_secret(c);
  CHECK(c.jwt_secret.size() >= 32);
  const std::string path = common::jwt_secret_path(c);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  common::Config again;
  again.state_dir = c.state_dir;
  common::ensure_jwt_secret(again);
  CHECK(again.jwt_secret == c.jwt_secret);

  common::Config given;
  given.state_dir = c.state_dir;
  given.jwt_secret = std::string(32, 'g');
  common::ensure_jwt_secret(given);
  CHECK(given.jwt_secret == std::string(32, 'g'));
}

TEST_CASE("production refuses to start without JWT_SECRET", "[unit][config][auth]") {
  test_support::TempDir dir("auth-config");
  common::Config c;
  c.state_dir = dir.path().string();
  c.app_env = common::AppEnv::kProduction;
  CHECK_THROWS_AS(common::ensure_jwt_secret(c), common::ConfigError);
  CHECK_FALSE(std::filesystem::exists(common::jwt_secret_path(c)));
  c.jwt_secret = std::string(32, 'p');
  CHECK_NOTHROW(common::ensure_jwt_secret(c));
}

TEST_CASE("a secret file is created once, later writers get the first contents",
          "[unit][config][auth]") {
  test_support::TempDir dir("auth-config");
  const std::string path = (dir.path() / "s").string();
  CHECK_FALSE(common::read_secret_file(path).has_value());
  CHECK(common::create_secret_file_once(path, "first") == "first");
  CHECK(common::create_secret_file_once(path, "second") == "first");
  CHECK(common::read_secret_file(path) == std::string("first"));
}
