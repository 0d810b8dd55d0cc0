// CONFIG_FILE: an optional file of KEY=VALUE lines that overrides the
// environment. The environment is fixed for the life of a process, so this
// file is what a reload (SIGHUP, ecommerce-ctl reload) can change.
//
//   # comment
//   WORKERS=6
//   LOG_LEVEL = debug        (spaces around '=' and the value are trimmed)
//   LOG_FILE="/var/log/x"    (one pair of matching quotes is removed)
//
// Keys are the variable names of the settings table (common/settings.h);
// CONFIG_FILE itself cannot be set from the file.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/config.h"

namespace common {

using ConfigValues = std::map<std::string, std::string>;

// Parses the text of a config file. Throws ConfigError naming each bad line
// ("CONFIG_FILE line 3: ...").
ConfigValues parse_config_file(std::string_view text);

// Reads and parses `path`. Throws ConfigError when it cannot be read or parsed.
ConfigValues read_config_file(const std::string& path);

// The configuration the server runs with: `env`, overridden by the values of
// the file CONFIG_FILE names (when `env` sets it). Throws ConfigError. When
// `sources` is given, it says for every setting whether its value came from
// the file, the environment, its default or other settings.
Config load_config_with_file(const EnvLookup& env, SettingSources* sources = nullptr);

}  // namespace common
