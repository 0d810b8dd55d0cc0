// ecommerce-server: the one binary. `serve` (default) runs the pre-forked pool;
// `migrate`, `migrate status`, `seed` and `seed-large` manage the database;
// `config` shows the settings.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/config_file.h"
#include "common/secrets.h"
#include "workers/cli/commands.h"
#include "workers/server/serve.h"

namespace {

constexpr const char* kUsage =
    "usage: ecommerce-server [serve | migrate [status] | seed | seed-large --products N |\n"
    "                         user create --email EMAIL [--role admin|user] |\n"
    "                         config [--markdown]]\n"
    "Configuration comes from the environment and CONFIG_FILE; see README.md.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::string command = args.empty() ? "serve" : args.front();
  if (!args.empty()) args.erase(args.begin());
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }

  // Before loading: it reports where each value came from, and a bad one.
  if (command == "config") return cli::config(args);

  common::Config config;
  try {
    config = common::load_config_with_file([](const char* name) { return std::getenv(name); });
  } catch (const common::ConfigError& e) {
    for (const auto& p : e.problems()) std::fprintf(stderr, "config: %s\n", p.c_str());
    return 2;
  }
  common::init_logging(config);

  if (command == "serve") {
    // Before the workers are forked, so that they all sign with one key.
    try {
      common::ensure_jwt_secret(config);
    } catch (const common::ConfigError& e) {
      for (const auto& p : e.problems()) std::fprintf(stderr, "config: %s\n", p.c_str());
      return 2;
    }
    return server::serve(config);
  }
  if (command == "sql") return cli::sql(args);
  if (command == "migrate") return cli::migrate(config, args);
  if (command == "seed") return cli::seed(config, args);
  if (command == "seed-large") return cli::seed_large(config, args);
  if (command == "user") return cli::user(config, args);
  std::fprintf(stderr, "unknown command '%s'\n%s", command.c_str(), kUsage);
  return 2;
}
