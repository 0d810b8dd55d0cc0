// The service's configuration: one struct, every field with its environment
// variable and default. Read once at start (and again on reload). HTTP_PORT and
// the nginx settings are read by scripts/ and nginx/, not by this binary.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace common {

struct Config {
  // DATABASE_URL: libpq connection string or URI. Required by `serve`,
  // `migrate` and `seed` (scripts/ set it to the local cluster when unset).
  std::string database_url;
  // STATE_DIR (default "./var"): sockets, pid files, logs, local cluster.
  std::string state_dir = "./var";
  // LISTEN (default "unix:$STATE_DIR/run/fcgi.sock"): FastCGI socket, "unix:PATH" or "HOST:PORT".
  std::string listen;
  // WORKERS (default 2 x cores): worker processes.
  int workers = 0;
  // LISTEN_BACKLOG (default 511): listen(2) backlog of the FastCGI socket.
  int listen_backlog = 511;
  // GRACEFUL_TIMEOUT (seconds, default 30): how long a stop waits for in-flight requests.
  int graceful_timeout_s = 30;
  // MAX_BODY_BYTES (default 65536): request bodies above this are 413.
  long max_body_bytes = 65536;
  // DB_CONNECT_TIMEOUT (seconds, default 3).
  int db_connect_timeout_s = 3;
  // DB_STATEMENT_TIMEOUT_MS (default 10000, 0 = none): server-side statement_timeout.
  int db_statement_timeout_ms = 10000;
  // LOG_LEVEL: debug|info|warn|error (default info).
  std::string log_level = "info";
  // LOG_FORMAT: text|json (default text).
  std::string log_format = "text";
  // APP_ENV: development|production (default development).
  std::string app_env = "development";
  // MIGRATIONS_DIR (default <source>/sql/migrations), SEED_FILE (default <source>/sql/seed.sql).
  std::string migrations_dir;
  std::string seed_file;
  // ADMIN_EMAIL (default admin@example.com) / ADMIN_PASSWORD (generated when unset).
  std::string admin_email = "admin@example.com";
  std::string admin_password;

  // --- accounts and tokens (issue 3) ---

  // --- pool operations (issue 5) ---
};

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::vector<std::string>& problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

using EnvLookup = std::function<const char*(const char*)>;

// Reads every variable through `env` (std::getenv in production), applies
// defaults and validates. Throws ConfigError listing every bad variable.
Config load_config(const EnvLookup& env);

// One line per variable with its effective value (secrets masked), for the start-up log.
std::vector<std::string> describe(const Config& config);

}  // namespace common
