// `ecommerce-server config`: the settings the server would run with, and
// README's tables of them (workers/cli/commands.h).
#include <cstdio>
#include <cstdlib>

#include "common/config_file.h"
#include "common/settings.h"
#include "workers/cli/commands.h"

namespace cli {

int config(const std::vector<std::string>& args) {
  if (args.size() == 1 && args.front() == "--markdown") {
    std::fputs(common::settings::markdown_all().c_str(), stdout);
    return 0;
  }
  if (!args.empty()) {
    std::fputs("usage: ecommerce-server config [--markdown]\n", stderr);
    return 2;
  }
  common::SettingSources sources;
  common::Config config;
  try {
    config =
        common::load_config_with_file([](const char* name) { return std::getenv(name); }, &sources);
  } catch (const common::ConfigError& e) {
    for (const auto& p : e.problems()) std::fprintf(stderr, "config: %s\n", p.c_str());
    return 2;
  }
  std::fputs(common::settings::report(config, sources).c_str(), stdout);
  return 0;
}

}  // namespace cli
