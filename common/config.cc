#include "common/config.h"

#include <unistd.h>

#include <charconv>
#include <string_view>

#include "common/log.h"

namespace common {

namespace {

std::string join(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

class Reader {
 public:
  explicit Reader(const EnvLookup& env) : env_(env) {}

  void string(const char* name, std::string& out) {
    if (const char* v = env_(name); v && *v) out = v;
  }

  void integer(const char* name, long min, long max, auto& out) {
    const char* v = env_(name);
    if (!v || !*v) return;
    std::string_view s(v);
    long value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || value < min || value > max) {
      problems.push_back(std::string(name) + " must be an integer between " + std::to_string(min) +
                         " and " + std::to_string(max) + ", got '" + v + "'");
      return;
    }
    out = static_cast<std::remove_reference_t<decltype(out)>>(value);
  }

  std::vector<std::string> problems;

 private:
  const EnvLookup& env_;
};

}  // namespace

ConfigError::ConfigError(const std::vector<std::string>& problems)
    : std::runtime_error(join(problems)), problems_(problems) {}

Config load_config(const EnvLookup& env) {
  Config c;
  Reader r(env);
  r.string("DATABASE_URL", c.database_url);
  r.string("STATE_DIR", c.state_dir);
  r.string("LISTEN", c.listen);
  r.integer("WORKERS", 1, 512, c.workers);
  r.integer("LISTEN_BACKLOG", 1, 65535, c.listen_backlog);
  r.integer("GRACEFUL_TIMEOUT", 0, 3600, c.graceful_timeout_s);
  r.integer("MAX_BODY_BYTES", 1, 64L * 1024 * 1024, c.max_body_bytes);
  r.integer("DB_CONNECT_TIMEOUT", 1, 600, c.db_connect_timeout_s);
  r.integer("DB_STATEMENT_TIMEOUT_MS", 0, 3600 * 1000, c.db_statement_timeout_ms);
  r.string("LOG_LEVEL", c.log_level);
  r.string("LOG_FORMAT", c.log_format);
  r.string("APP_ENV", c.app_env);
  r.string("MIGRATIONS_DIR", c.migrations_dir);
  r.string("SEED_FILE", c.seed_file);
  r.string("ADMIN_EMAIL", c.admin_email);
  r.string("ADMIN_PASSWORD", c.admin_password);
  // --- accounts and tokens (issue 3) ---
  // --- pool operations (issue 5) ---

  log::Level level;
  if (!log::parse_level(c.log_level, level)) {
    r.problems.push_back("LOG_LEVEL must be debug, info, warn or error, got '" + c.log_level + "'");
  }
  log::Format format;
  if (!log::parse_format(c.log_format, format)) {
    r.problems.push_back("LOG_FORMAT must be text or json, got '" + c.log_format + "'");
  }
  if (c.app_env != "development" && c.app_env != "production") {
    r.problems.push_back("APP_ENV must be development or production, got '" + c.app_env + "'");
  }
  if (!r.problems.empty()) throw ConfigError(r.problems);

  if (c.workers == 0) {
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    c.workers = static_cast<int>(cores > 0 ? 2 * cores : 2);
  }
  if (c.listen.empty()) c.listen = "unix:" + c.state_dir + "/run/fcgi.sock";
  if (c.migrations_dir.empty())
    c.migrations_dir = std::string(ECOMMERCE_SOURCE_DIR) + "/sql/migrations";
  if (c.seed_file.empty()) c.seed_file = std::string(ECOMMERCE_SOURCE_DIR) + "/sql/seed.sql";
  return c;
}

std::vector<std::string> describe(const Config& c) {
  auto masked = [](const std::string& s) { return s.empty() ? std::string("(unset)") : "****"; };
  // The URL may hold a password: show only whether it is set.
  return {
      "DATABASE_URL=" + masked(c.database_url),
      "STATE_DIR=" + c.state_dir,
      "LISTEN=" + c.listen,
      "WORKERS=" + std::to_string(c.workers),
      "LISTEN_BACKLOG=" + std::to_string(c.listen_backlog),
      "GRACEFUL_TIMEOUT=" + std::to_string(c.graceful_timeout_s),
      "MAX_BODY_BYTES=" + std::to_string(c.max_body_bytes),
      "DB_CONNECT_TIMEOUT=" + std::to_string(c.db_connect_timeout_s),
      "DB_STATEMENT_TIMEOUT_MS=" + std::to_string(c.db_statement_timeout_ms),
      "LOG_LEVEL=" + c.log_level,
      "LOG_FORMAT=" + c.log_format,
      "APP_ENV=" + c.app_env,
      "MIGRATIONS_DIR=" + c.migrations_dir,
      "SEED_FILE=" + c.seed_file,
      "ADMIN_EMAIL=" + c.admin_email,
      "ADMIN_PASSWORD=" + masked(c.admin_password),
      // --- accounts and tokens (issue 3) ---
      // --- pool operations (issue 5) ---
  };
}

}  // namespace common
