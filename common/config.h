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
  // JWT_SECRET (at least 32 bytes): HMAC-SHA256 key of the access tokens. When
  // unset, development generates one once into $STATE_DIR/jwt-secret (0600)
  // and production refuses to start (common/secrets.h). A reload that changes
  // it ends every access token signed with the old one.
  std::string jwt_secret;
  // ACCESS_TOKEN_TTL_S (default 900, 60..86400): lifetime of an access token.
  int access_token_ttl_s = 900;
  // REFRESH_TOKEN_TTL_S (default 2592000 = 30 days, 300..31536000): lifetime of
  // a refresh token; each refresh issues a new one with the full lifetime.
  int refresh_token_ttl_s = 2592000;
  // BCRYPT_COST (default 12, 4..15): cost of new password hashes (existing
  // hashes keep theirs).
  int bcrypt_cost = 12;
  // LOGIN_MAX_FAILS_PER_ACCOUNT (default 10) failed logins per email within
  // LOGIN_ACCOUNT_WINDOW_S (default 900), and LOGIN_MAX_FAILS_PER_ADDRESS
  // (default 30) per client address within LOGIN_ADDRESS_WINDOW_S (default 60);
  // past either, login answers 429 RATE_LIMITED with Retry-After.
  int login_max_fails_per_account = 10;
  int login_account_window_s = 900;
  int login_max_fails_per_address = 30;
  int login_address_window_s = 60;

  // --- pool operations (issue 5) ---
  // Reload (SIGHUP, ecommerce-ctl reload) re-reads every setting; those marked
  // "restart" keep their running value (a warning says so) until a restart or
  // a SIGUSR2 upgrade.
  //
  // CONFIG_FILE (default unset): a file of KEY=VALUE lines ('#' comments) that
  // override the environment; reload re-reads it. Restart.
  std::string config_file;
  // POOL_MODE: static|dynamic (default static). Static keeps WORKERS workers;
  // dynamic keeps between MIN_WORKERS and MAX_WORKERS by MIN_SPARE/MAX_SPARE.
  std::string pool_mode = "static";
  // MIN_WORKERS (default 1 static, 2 dynamic) and MAX_WORKERS (default
  // max(WORKERS, 4 x cores)): the bounds of live changes (SIGTTIN/SIGTTOU,
  // ecommerce-ctl workers) and of dynamic sizing; MIN_WORKERS is the dynamic floor.
  int min_workers = 0;
  int max_workers = 0;
  // MIN_SPARE (default 1) / MAX_SPARE (default 3): dynamic mode starts workers
  // while fewer than MIN_SPARE are idle, retires idle ones while more than
  // MAX_SPARE are, once they have been idle IDLE_TIMEOUT_S (default 10).
  int min_spare = 1;
  int max_spare = 3;
  int idle_timeout_s = 10;
  // RELOAD_BATCH (default 2): workers replaced at once by a reload or by
  // recycling; each replacement is started (and ready) before the old worker
  // is asked to leave, so the pool briefly runs up to this many extra workers.
  int reload_batch = 2;
  // MAX_REQUESTS (default 0 = never): a worker is replaced after this many
  // requests, plus a random 0..MAX_REQUESTS_JITTER (default MAX_REQUESTS / 10)
  // so that workers do not all recycle at once.
  long max_requests = 0;
  long max_requests_jitter = -1;  // -1: MAX_REQUESTS / 10
  // MAX_RSS_MB (default 0 = no limit): a worker whose resident memory passes
  // this (sampled between requests, at most once a second) is replaced.
  int max_rss_mb = 0;
  // REQUEST_SLOW_MS (default 5000, 0 = off): a request running longer is logged
  // once (URI, elapsed time, the SQL statement it is running).
  int request_slow_ms = 5000;
  // REQUEST_TIMEOUT_S (default 30, 0 = off): the master cancels the query of a
  // request running longer, then replaces its worker. nginx's
  // fastcgi_read_timeout is set 1 s above it (scripts/stack.sh).
  int request_timeout_s = 30;
  // DB_RESERVED_CONNECTIONS (default 3): PostgreSQL connections the pool leaves
  // free besides superuser_reserved_connections (psql, migrations, the
  // master's short query-cancel connections). The pool refuses a size whose
  // workers (plus RELOAD_BATCH) would need more than max_connections minus both.
  int db_reserved_connections = 3;
  // STATUS_LISTEN (default unix:$STATE_DIR/run/status.sock): FastCGI socket the
  // master itself serves /status and /metrics on, so they answer even when
  // every worker is busy. Restart.
  std::string status_listen;
  // CONTROL_SOCKET (default $STATE_DIR/run/ctl.sock): ecommerce-ctl's socket (mode 0600). Restart.
  std::string control_socket;
  // PID_FILE (default $STATE_DIR/run/server.pid): written by the master. Restart.
  std::string pid_file;
  // LOG_FILE (default unset = stderr): log file, reopened on SIGUSR1 (logrotate).
  std::string log_file;
  // ENABLE_TEST_ROUTES (0|1, default 0): adds GET /__test/sleep?ms=N and
  // GET /__test/alloc?mb=N (loopback only), for the end-to-end tests.
  bool enable_test_routes = false;
};

// --- pool operations (issue 5) ---
// Defaults that depend on other settings, and cross-checks between the pool
// settings (MIN_WORKERS <= WORKERS <= MAX_WORKERS, ...). Called by load_config
// after the single-setting checks; returns the problems found.
std::vector<std::string> finish_pool_settings(Config& config);

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
