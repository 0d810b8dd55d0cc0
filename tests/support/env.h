// Configuration from a map instead of the process environment, for the unit tests.
#pragma once

#include <map>
#include <string>

#include "common/config.h"

namespace test_support {

using Env = std::map<std::string, std::string>;

// An EnvLookup answering from `env` (a copy is kept); unset names give nullptr.
common::EnvLookup env_lookup(const Env& env);
// common::load_config over `env`; throws ConfigError as it does.
common::Config config_from(const Env& env);

}  // namespace test_support
