// What every setting row supports, whatever its type: parse, display,
// compare, copy; and what is built from the whole table: the reload diff,
// README's tables and `ecommerce-server config`.
#include "common/settings.h"

#include <algorithm>
#include <charconv>
#include <type_traits>

namespace common::settings {

namespace {

bool parse_enum(std::string_view s, PoolMode& out) { return parse_pool_mode(s, out); }
bool parse_enum(std::string_view s, AppEnv& out) { return parse_app_env(s, out); }
bool parse_enum(std::string_view s, log::Level& out) { return log::parse_level(s, out); }
bool parse_enum(std::string_view s, log::Format& out) { return log::parse_format(s, out); }

const char* enum_name(PoolMode v) { return pool_mode_name(v); }
const char* enum_name(AppEnv v) { return app_env_name(v); }
const char* enum_name(log::Level v) { return log::level_name(v); }
const char* enum_name(log::Format v) { return log::format_name(v); }

// "a", "a or b", "a, b or c".
std::string one_of(const std::vector<std::string_view>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += i + 1 == values.size() ? " or " : ", ";
    out += values[i];
  }
  return out;
}

std::string quoted_list(const std::vector<std::string_view>& values) {
  std::string out;
  for (const auto v : values) out += (out.empty() ? "`" : ", `") + std::string(v) + "`";
  return out;
}

// The "values" column of README's tables.
std::string allowed_text(const Setting& s) {
  return std::visit(
      [&](auto member) -> std::string {
        using T = std::remove_reference_t<decltype(Config().*member)>;
        if constexpr (std::is_same_v<T, std::string>) {
          std::string text = s.secret ? "secret" : "text";
          if (s.min > 0) text += ", at least " + std::to_string(s.min) + " bytes";
          return text;
        } else if constexpr (std::is_same_v<T, bool>) {
          return "`0`, `1`";
        } else if constexpr (std::is_enum_v<T>) {
          return quoted_list(s.values);
        } else {
          return std::to_string(s.min) + ".." + std::to_string(s.max);
        }
      },
      s.field);
}

}  // namespace

const Setting* find(std::string_view name) {
  const auto& rows = all();
  const auto it =
      std::find_if(rows.begin(), rows.end(), [&](const Setting& s) { return name == s.name; });
  return it == rows.end() ? nullptr : &*it;
}

std::optional<std::string> parse(const Setting& s, std::string_view text, Config& config) {
  const std::string got = ", got '" + std::string(text) + "'";
  return std::visit(
      [&](auto member) -> std::optional<std::string> {
        auto& out = config.*member;
        using T = std::remove_reference_t<decltype(out)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (text.size() < static_cast<size_t>(s.min)) {
            // Never echo the value: it may be a secret.
            return std::string(s.name) + " must be at least " + std::to_string(s.min) + " bytes";
          }
          out = std::string(text);
        } else if constexpr (std::is_same_v<T, bool>) {
          if (text != "0" && text != "1") return std::string(s.name) + " must be 0 or 1" + got;
          out = text == "1";
        } else if constexpr (std::is_enum_v<T>) {
          if (!parse_enum(text, out)) {
            return std::string(s.name) + " must be " + one_of(s.values) + got;
          }
        } else {
          long value = 0;
          const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
          if (ec != std::errc() || end != text.data() + text.size() || value < s.min ||
              value > s.max) {
            return std::string(s.name) + " must be an integer between " + std::to_string(s.min) +
                   " and " + std::to_string(s.max) + got;
          }
          out = static_cast<T>(value);
        }
        return std::nullopt;
      },
      s.field);
}

std::string display(const Setting& s, const Config& config) {
  return std::visit(
      [&](auto member) -> std::string {
        const auto& value = config.*member;
        using T = std::remove_cvref_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (value.empty()) return "(unset)";
          return s.secret ? "****" : value;
        } else if constexpr (std::is_same_v<T, bool>) {
          return value ? "1" : "0";
        } else if constexpr (std::is_enum_v<T>) {
          return enum_name(value);
        } else {
          return std::to_string(value);
        }
      },
      s.field);
}

bool same(const Setting& s, const Config& a, const Config& b) {
  return std::visit([&](auto member) { return a.*member == b.*member; }, s.field);
}

std::vector<SettingChange> diff(const Config& running, const Config& fresh) {
  std::vector<SettingChange> changes;
  for (const Setting& s : all()) {
    if (same(s, running, fresh)) continue;
    changes.push_back({s.name, display(s, running), display(s, fresh), s.reload});
  }
  return changes;
}

void keep_restart_only(const Config& running, Config& fresh) {
  for (const Setting& s : all()) {
    if (s.reload != Reload::kRestart) continue;
    std::visit([&](auto member) { fresh.*member = running.*member; }, s.field);
  }
}

const char* section_name(Section section) {
  switch (section) {
    case Section::kServer:
      return "server";
    case Section::kAccounts:
      return "accounts";
    case Section::kPool:
      return "pool";
    case Section::kCache:
      return "cache";
    case Section::kJobs:
      return "jobs";
    case Section::kMail:
      return "mail";
  }
  return "server";
}

const char* reload_name(Reload reload) {
  return reload == Reload::kRestart ? "restart" : "applied";
}

std::string markdown(Section section) {
  std::string out =
      "| variable | default | values | reload | meaning |\n"
      "|---|---|---|---|---|\n";
  for (const Setting& s : all()) {
    if (s.section != section) continue;
    out += "| `" + std::string(s.name) + "` | " + s.default_text + " | " + allowed_text(s) + " | " +
           reload_name(s.reload) + " | " + s.meaning + " |\n";
  }
  return out;
}

std::string markdown_all() {
  std::string out;
  for (const Section section : kSections) {
    const std::string name = section_name(section);
    if (!out.empty()) out += "\n";
    out += "<!-- settings:" + name + ":begin -->\n" + markdown(section) + "<!-- settings:" + name +
           ":end -->\n";
  }
  return out;
}

std::string report(const Config& config, const SettingSources& sources) {
  size_t name_width = 0;
  size_t value_width = 0;
  std::vector<std::string> values;
  for (const Setting& s : all()) {
    values.push_back(display(s, config));
    name_width = std::max(name_width, std::string_view(s.name).size());
    value_width = std::max(value_width, values.back().size());
  }
  std::string out;
  size_t i = 0;
  for (const Setting& s : all()) {
    const auto it = sources.find(s.name);
    const Source source = it == sources.end() ? Source::kDefault : it->second;
    std::string line = s.name;
    line.resize(name_width + 2, ' ');
    line += values[i++];
    line.resize(name_width + 2 + value_width + 2, ' ');
    out += line + source_name(source) + "\n";
  }
  return out;
}

}  // namespace common::settings
