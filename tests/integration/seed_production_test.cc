// In production the generated admin password goes to its 0600 file only:
// stdout ends up in journals and CI logs.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "common/secrets.h"
#include "tests/support/db.h"
#include "tests/support/temp_dir.h"
#include "workers/cli/commands.h"

namespace {

// What `fn` writes to stdout, and its result.
template <typename Fn>
std::pair<std::string, int> captured_stdout(const std::string& path, Fn fn) {
  const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(file >= 0);
  std::fflush(stdout);
  const int saved = ::dup(STDOUT_FILENO);
  ::dup2(file, STDOUT_FILENO);
  ::close(file);
  const int rc = fn();
  std::fflush(stdout);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return {text.str(), rc};
}

}  // namespace

TEST_CASE("production seed keeps the generated admin password out of stdout",
          "[integration][seed][auth]") {
  for (const common::AppEnv env : {common::AppEnv::kProduction, common::AppEnv::kDevelopment}) {
    common::pg::Connection db = test_support::migrated_connection();
    test_support::truncate_all(db);
    test_support::TempDir dir("seed-production");
    common::Config config = test_support::test_config();
    config.state_dir = dir.path().string();
    config.admin_password.clear();
    config.app_env = env;
    const auto [out, rc] =
        captured_stdout((dir.path() / "stdout").string(), [&] { return cli::seed(config, {}); });
    REQUIRE(rc == 0);
    const auto password = common::read_secret_file(config.state_dir + "/admin-password");
    REQUIRE(password);
    INFO(out);
    CHECK(out.find(config.state_dir + "/admin-password") != std::string::npos);
    if (env == common::AppEnv::kProduction) {
      CHECK(out.find(*password) == std::string::npos);
    } else {
      CHECK(out.find(*password) != std::string::npos);
    }
  }
}
