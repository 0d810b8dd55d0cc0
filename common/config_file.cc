#include "common/config_file.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace common {

namespace {

std::string_view trim(std::string_view s) {
  const size_t start = s.find_first_not_of(" \t\r");
  if (start == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(" \t\r");
  return s.substr(start, end - start + 1);
}

bool valid_key(std::string_view key) {
  if (key.empty() || (key.front() >= '0' && key.front() <= '9')) return false;
  for (const char c : key) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

ConfigValues parse_config_file(std::string_view text) {
  ConfigValues values;
  std::vector<std::string> problems;
  int number = 0;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    const std::string_view raw = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++number;
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = "CONFIG_FILE line " + std::to_string(number) + ": ";
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      problems.push_back(where + "expected KEY=VALUE");
      continue;
    }
    const std::string_view key = trim(line.substr(0, eq));
    std::string_view value = trim(line.substr(eq + 1));
    if (!valid_key(key)) {
      problems.push_back(where + "'" + std::string(key) + "' is not a setting name");
      continue;
    }
    if (key == "CONFIG_FILE") {
      problems.push_back(where + "CONFIG_FILE cannot be set from the file itself");
      continue;
    }
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    values[std::string(key)] = std::string(value);
  }
  if (!problems.empty()) throw ConfigError(problems);
  return values;
}

ConfigValues read_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError({"CONFIG_FILE " + path + " cannot be read"});
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config_file(text.str());
}

Config load_config_with_file(const EnvLookup& env, SettingSources* sources) {
  const char* path = env("CONFIG_FILE");
  if (path == nullptr || *path == '\0') return load_config_layers({{Source::kEnv, env}}, sources);
  const ConfigValues file = read_config_file(path);
  const EnvLookup from_file = [&](const char* name) -> const char* {
    const auto it = file.find(name);
    return it != file.end() ? it->second.c_str() : nullptr;
  };
  return load_config_layers({{Source::kFile, from_file}, {Source::kEnv, env}}, sources);
}

}  // namespace common
