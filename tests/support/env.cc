#include "tests/support/env.h"

namespace test_support {

common::EnvLookup env_lookup(const Env& env) {
  return [env](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
}

common::Config config_from(const Env& env) { return common::load_config(env_lookup(env)); }

}  // namespace test_support
