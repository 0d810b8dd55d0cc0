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
  r.string("JWT_SECRET", c.jwt_secret);
  r.integer("ACCESS_TOKEN_TTL_S", 60, 86400, c.access_token_ttl_s);
  r.integer("REFRESH_TOKEN_TTL_S", 300, 31536000, c.refresh_token_ttl_s);
  r.integer("BCRYPT_COST", 4, 15, c.bcrypt_cost);
  r.integer("LOGIN_MAX_FAILS_PER_ACCOUNT", 1, 100000, c.login_max_fails_per_account);
  r.integer("LOGIN_ACCOUNT_WINDOW_S", 1, 86400, c.login_account_window_s);
  r.integer("LOGIN_MAX_FAILS_PER_ADDRESS", 1, 100000, c.login_max_fails_per_address);
  r.integer("LOGIN_ADDRESS_WINDOW_S", 1, 86400, c.login_address_window_s);
  if (!c.jwt_secret.empty() && c.jwt_secret.size() < 32) {
    r.problems.push_back("JWT_SECRET must be at least 32 bytes");
  }
  // --- pool operations (issue 5) ---
  r.string("CONFIG_FILE", c.config_file);
  r.string("POOL_MODE", c.pool_mode);
  r.integer("MIN_WORKERS", 1, 512, c.min_workers);
  r.integer("MAX_WORKERS", 1, 512, c.max_workers);
  r.integer("MIN_SPARE", 0, 512, c.min_spare);
  r.integer("MAX_SPARE", 1, 512, c.max_spare);
  r.integer("IDLE_TIMEOUT_S", 1, 86400, c.idle_timeout_s);
  r.integer("RELOAD_BATCH", 1, 64, c.reload_batch);
  r.integer("MAX_REQUESTS", 0, 1000000000, c.max_requests);
  r.integer("MAX_REQUESTS_JITTER", 0, 1000000000, c.max_requests_jitter);
  r.integer("MAX_RSS_MB", 0, 1048576, c.max_rss_mb);
  r.integer("REQUEST_SLOW_MS", 0, 86400 * 1000, c.request_slow_ms);
  r.integer("REQUEST_TIMEOUT_S", 0, 86400, c.request_timeout_s);
  r.integer("DB_RESERVED_CONNECTIONS", 0, 10000, c.db_reserved_connections);
  r.string("STATUS_LISTEN", c.status_listen);
  r.string("CONTROL_SOCKET", c.control_socket);
  r.string("PID_FILE", c.pid_file);
  r.string("LOG_FILE", c.log_file);
  r.integer("ENABLE_TEST_ROUTES", 0, 1, c.enable_test_routes);

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
  // --- pool operations (issue 5) ---
  if (auto problems = finish_pool_settings(c); !problems.empty()) throw ConfigError(problems);
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
      "JWT_SECRET=" + masked(c.jwt_secret),
      "ACCESS_TOKEN_TTL_S=" + std::to_string(c.access_token_ttl_s),
      "REFRESH_TOKEN_TTL_S=" + std::to_string(c.refresh_token_ttl_s),
      "BCRYPT_COST=" + std::to_string(c.bcrypt_cost),
      "LOGIN_MAX_FAILS_PER_ACCOUNT=" + std::to_string(c.login_max_fails_per_account),
      "LOGIN_ACCOUNT_WINDOW_S=" + std::to_string(c.login_account_window_s),
      "LOGIN_MAX_FAILS_PER_ADDRESS=" + std::to_string(c.login_max_fails_per_address),
      "LOGIN_ADDRESS_WINDOW_S=" + std::to_string(c.login_address_window_s),
      // --- pool operations (issue 5) ---
      "CONFIG_FILE=" + (c.config_file.empty() ? std::string("(unset)") : c.config_file),
      "POOL_MODE=" + c.pool_mode,
      "MIN_WORKERS=" + std::to_string(c.min_workers),
      "MAX_WORKERS=" + std::to_string(c.max_workers),
      "MIN_SPARE=" + std::to_string(c.min_spare),
      "MAX_SPARE=" + std::to_string(c.max_spare),
      "IDLE_TIMEOUT_S=" + std::to_string(c.idle_timeout_s),
      "RELOAD_BATCH=" + std::to_string(c.reload_batch),
      "MAX_REQUESTS=" + std::to_string(c.max_requests),
      "MAX_REQUESTS_JITTER=" + std::to_string(c.max_requests_jitter),
      "MAX_RSS_MB=" + std::to_string(c.max_rss_mb),
      "REQUEST_SLOW_MS=" + std::to_string(c.request_slow_ms),
      "REQUEST_TIMEOUT_S=" + std::to_string(c.request_timeout_s),
      "DB_RESERVED_CONNECTIONS=" + std::to_string(c.db_reserved_connections),
      "STATUS_LISTEN=" + c.status_listen,
      "CONTROL_SOCKET=" + c.control_socket,
      "PID_FILE=" + c.pid_file,
      "LOG_FILE=" + (c.log_file.empty() ? std::string("(stderr)") : c.log_file),
      "ENABLE_TEST_ROUTES=" + std::string(c.enable_test_routes ? "1" : "0"),
  };
}

}  // namespace common
