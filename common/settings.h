// The settings table: every setting ecommerce-server reads, declared once
// (rows in common/settings_table.cc), in the spirit of pgbouncer's CF_ABS
// table. Each row says the variable's name, the Config member it fills (whose
// type is the setting's type), its default as people read it, the allowed
// range or values, one line of meaning, and whether a reload applies a change
// or it needs a restart.
//
// Everything else derives from the rows: loading and validation
// (load_config_layers), the start-up log (describe), the reload's diff,
// `ecommerce-server config` and README's tables (markdown; a unit test fails
// when README differs). Defaults that depend on other settings (WORKERS,
// LISTEN, MAX_WORKERS, ...) and cross-checks stay as code after the table pass.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/config.h"

namespace common::settings {

// Which README table a setting is listed in.
enum class Section { kServer, kAccounts, kPool, kCache, kJobs, kMail };
inline constexpr Section kSections[] = {Section::kServer, Section::kAccounts, Section::kPool,
                                        Section::kCache,  Section::kJobs,     Section::kMail};
// What a reload (SIGHUP, ecommerce-ctl reload) does with a changed value:
// applies it, or keeps the running one until a restart or a SIGUSR2 upgrade.
enum class Reload { kApplied, kRestart };

// The Config member a setting fills; the alternative held is its type.
using Field =
    std::variant<std::string Config::*, int Config::*, long Config::*, bool Config::*,
                 PoolMode Config::*, log::Level Config::*, log::Format Config::*, AppEnv Config::*>;

struct Setting {
  const char* name;  // the environment variable, and its key in CONFIG_FILE
  Field field;
  Section section;
  Reload reload;
  const char* default_text;  // the default as README shows it (Markdown)
  const char* meaning;       // one line (Markdown)
  // Integers: the allowed range. Strings: `min` is the minimum length in bytes.
  long min = 0;
  long max = 0;
  // Enums: every accepted value, in the order README lists them.
  std::vector<std::string_view> values = {};
  // Shown as "****" (or "(unset)") wherever values are printed.
  bool secret = false;
  // Unset, its value is computed from other settings (load_config_layers).
  bool derived = false;
};

// Every row, in the order of README's tables and of the start-up log.
const std::vector<Setting>& all();
// The row named `name`, or nullptr.
const Setting* find(std::string_view name);

// Parses `text` into the setting's member of `config`. On a bad value returns
// the problem ("WORKERS must be an integer between 1 and 512, got 'x'") and
// leaves `config` as it was.
std::optional<std::string> parse(const Setting& setting, std::string_view text, Config& config);
// The value as people read it: secrets masked ("****"), empty strings "(unset)",
// enums by name, booleans 0/1.
std::string display(const Setting& setting, const Config& config);
// Whether `a` and `b` hold the same value of this setting.
bool same(const Setting& setting, const Config& a, const Config& b);

// A setting whose value differs between two configurations.
struct SettingChange {
  std::string name;
  std::string from;  // display values: secrets stay masked
  std::string to;
  Reload reload;
};

// Every setting whose value differs from `running` to `fresh`, in table order.
std::vector<SettingChange> diff(const Config& running, const Config& fresh);
// Sets each restart-only setting of `fresh` back to its value in `running`.
void keep_restart_only(const Config& running, Config& fresh);

const char* section_name(Section section);  // "server", "accounts", "pool", "cache", "jobs", "mail"
const char* reload_name(Reload reload);     // "applied", "restart"

// README's table of `section`: a header and one row per setting, each line
// ending in '\n'.
std::string markdown(Section section);
// Every section's table between README's marker comments
// (<!-- settings:NAME:begin --> ... <!-- settings:NAME:end -->), a blank line between.
std::string markdown_all();

// `ecommerce-server config`: one aligned line per setting with its display
// value and where it came from (`sources`; a setting missing there shows "default").
std::string report(const Config& config, const SettingSources& sources);

}  // namespace common::settings
