// Loading the configuration: one pass over the settings table, then the
// defaults that depend on other settings (common/config.h).
#include "common/config.h"

#include <unistd.h>

#include "common/redis.h"
#include "common/settings.h"

namespace common {

namespace {

std::string join(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// The first layer that has `name` decides; nullptr when none has it.
const char* look_up(const std::vector<ValueLayer>& layers, const char* name, Source& source) {
  for (const auto& layer : layers) {
    if (const char* value = layer.lookup(name)) {
      source = layer.source;
      return value;
    }
  }
  return nullptr;
}

// The server's own defaults that depend on other settings or on the machine.
void derive_server_defaults(Config& c) {
  if (c.workers == 0) {
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    c.workers = static_cast<int>(cores > 0 ? 2 * cores : 2);
  }
  if (c.listen.empty()) c.listen = "unix:" + c.state_dir + "/run/fcgi.sock";
  if (c.migrations_dir.empty()) {
    c.migrations_dir = std::string(ECOMMERCE_SOURCE_DIR) + "/sql/migrations";
  }
  if (c.seed_file.empty()) c.seed_file = std::string(ECOMMERCE_SOURCE_DIR) + "/sql/seed.sql";
}

}  // namespace

bool parse_pool_mode(std::string_view s, PoolMode& out) {
  if (s == "static") {
    out = PoolMode::kStatic;
  } else if (s == "dynamic") {
    out = PoolMode::kDynamic;
  } else {
    return false;
  }
  return true;
}

bool parse_app_env(std::string_view s, AppEnv& out) {
  if (s == "development") {
    out = AppEnv::kDevelopment;
  } else if (s == "production") {
    out = AppEnv::kProduction;
  } else {
    return false;
  }
  return true;
}

const char* pool_mode_name(PoolMode mode) {
  return mode == PoolMode::kDynamic ? "dynamic" : "static";
}

const char* app_env_name(AppEnv env) {
  return env == AppEnv::kProduction ? "production" : "development";
}

const char* source_name(Source source) {
  switch (source) {
    case Source::kDefault:
      return "default";
    case Source::kEnv:
      return "env";
    case Source::kFile:
      return "file";
    case Source::kDerived:
      return "derived";
  }
  return "default";
}

ConfigError::ConfigError(const std::vector<std::string>& problems)
    : std::runtime_error(join(problems)), problems_(problems) {}

Config load_config_layers(const std::vector<ValueLayer>& layers, SettingSources* sources) {
  Config c;
  std::vector<std::string> problems;
  for (const settings::Setting& s : settings::all()) {
    Source source = s.derived ? Source::kDerived : Source::kDefault;
    Source found_in = source;
    const char* value = look_up(layers, s.name, found_in);
    if (value != nullptr && *value != '\0') {
      source = found_in;
      if (auto problem = settings::parse(s, value, c)) problems.push_back(std::move(*problem));
    }
    if (sources != nullptr) (*sources)[s.name] = source;
  }
  if (!c.redis_url.empty() && c.redis_url != "off") {
    std::string error;
    if (!redis::parse_redis_url(c.redis_url, error)) {
      problems.push_back("REDIS_URL must be redis://host:port[/db], unix:///path or off: " + error);
    }
  }
  if (!problems.empty()) throw ConfigError(problems);

  derive_server_defaults(c);
  std::vector<std::string> cross = finish_pool_settings(c);
  for (std::string& p : production_problems(c)) cross.push_back(std::move(p));
  for (std::string& p : mail_problems(c)) cross.push_back(std::move(p));
  if (!cross.empty()) throw ConfigError(cross);
  return c;
}

Config load_config(const EnvLookup& env) { return load_config_layers({{Source::kEnv, env}}); }

std::vector<std::string> describe(const Config& config) {
  std::vector<std::string> lines;
  for (const settings::Setting& s : settings::all()) {
    lines.push_back(std::string(s.name) + "=" + settings::display(s, config));
  }
  return lines;
}

void init_logging(const Config& config) { log::init(config.log_level, config.log_format); }

}  // namespace common
