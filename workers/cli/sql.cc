#include <cstdio>
#include <string>
#include <vector>

#include "common/pg.h"
#include "workers/cli/commands.h"

namespace cli {

int sql(const std::vector<std::string>& args) {
  const auto& registry = common::pg::Statement::registry();
  if (args.empty()) {
    std::fputs("usage: ecommerce-server sql --list | NAME...\n", stderr);
    return 2;
  }
  if (args.front() == "--list") {
    for (const auto* statement : registry) std::printf("%s\n", statement->name());
    return 0;
  }
  for (const auto& name : args) {
    const common::pg::Statement* found = common::pg::Statement::find(name);
    if (!found) {
      std::fprintf(stderr, "no statement named '%s' (see `sql --list`)\n", name.c_str());
      return 1;
    }
    std::printf("%s\n", found->sql());
  }
  return 0;
}

}  // namespace cli
