// The service's configuration: one plain struct that the rest of the code
// reads (`config.workers`, `config.max_requests`, ...), loaded from the
// environment and CONFIG_FILE.
//
// Each member is a setting declared once in the settings table
// (common/settings.h, rows in common/settings_table.cc): its variable name,
// type, default, allowed values, meaning, and whether a reload applies it or
// it needs a restart. The member initializers below are the defaults the
// table shows; a unit test keeps the two in agreement. HTTP_PORT, nginx and
// PG_* are read by scripts/, not by this binary.
#pragma once

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"

namespace common {

// POOL_MODE: static keeps WORKERS workers; dynamic keeps between MIN_WORKERS
// and MAX_WORKERS, led by MIN_SPARE/MAX_SPARE idle workers.
enum class PoolMode { kStatic, kDynamic };
// APP_ENV: production refuses to invent secrets (common/secrets.h).
enum class AppEnv { kDevelopment, kProduction };

// "static|dynamic" / "development|production"; false (out untouched) on anything else.
bool parse_pool_mode(std::string_view s, PoolMode& out);
bool parse_app_env(std::string_view s, AppEnv& out);
// The text parse_* accepts for each value.
const char* pool_mode_name(PoolMode mode);
const char* app_env_name(AppEnv env);

struct Config {
  // Server.
  std::string database_url;  // secret; required by serve, migrate and seed
  // DATABASE_READ_URL: a streaming replica for catalogue reads (common/read_replica.h); empty:
  // none.
  std::string database_read_url;
  std::string state_dir = "./var";
  std::string listen;  // derived from state_dir when unset
  // FCGI_ALLOWED_ADDRS: peers a TCP LISTEN accepts (common/address_allowlist.h);
  // derived (loopback only) when unset and LISTEN is TCP, unused for unix sockets.
  std::string fcgi_allowed_addrs;
  int workers = 0;  // 0: derived, 2 x cores
  int listen_backlog = 511;
  int graceful_timeout_s = 30;
  long max_body_bytes = 65536;
  int db_connect_timeout_s = 3;
  int db_statement_timeout_ms = 10000;
  log::Level log_level = log::Level::kInfo;
  log::Format log_format = log::Format::kText;
  AppEnv app_env = AppEnv::kDevelopment;
  std::string migrations_dir;  // derived from the source tree when unset
  std::string seed_file;       // derived from the source tree when unset
  std::string admin_email = "admin@example.com";
  std::string admin_password;  // secret; seed generates one when unset

  // Accounts and tokens.
  std::string jwt_secret;  // secret; common/secrets.h fills it when unset
  int access_token_ttl_s = 900;
  int refresh_token_ttl_s = 2592000;
  int bcrypt_cost = 12;
  int login_max_fails_per_account = 10;
  int login_account_window_s = 900;
  int login_max_fails_per_address = 30;
  int login_address_window_s = 60;
  int register_max_per_address = 10;
  int register_window_s = 3600;
  int bcrypt_max_concurrent = 0;  // 0: max(1, workers / 2), taken by the master at start
  int access_revocation_lag_s = 30;

  // The pool.
  std::string config_file;
  PoolMode pool_mode = PoolMode::kStatic;
  int min_workers = 0;  // 0: derived from pool_mode
  int max_workers = 0;  // 0: derived, max(workers, 4 x cores)
  int min_spare = 1;
  int max_spare = 3;
  int idle_timeout_s = 10;
  int reload_batch = 2;
  long max_requests = 0;
  long max_requests_jitter = -1;  // -1: derived, max_requests / 10
  int max_rss_mb = 0;
  int request_slow_ms = 5000;
  int request_timeout_s = 30;
  int db_reserved_connections = 3;
  std::string status_listen;             // derived from state_dir when unset
  std::string control_socket;            // derived from state_dir when unset
  std::string pid_file;                  // derived from state_dir when unset
  std::string log_file;                  // empty: stderr
  int request_log_buffer_bytes = 65536;  // 0: each request line written at once
  int request_log_flush_ms = 1000;
  bool enable_test_routes = false;
  // Catalogue cache (common/cache.h).
  std::string redis_url;      // REDIS_URL; empty or "off": no cache
  int redis_timeout_ms = 50;  // REDIS_TIMEOUT_MS
  int cache_ttl_s = 300;      // CACHE_TTL_S
  // Background jobs (workers/jobs/).
  int job_runners = 1;              // JOB_RUNNERS; 0: no runner on this host
  int job_max_attempts = 8;         // JOB_MAX_ATTEMPTS
  int job_lease_s = 300;            // JOB_LEASE_S
  int job_poll_interval_ms = 1000;  // JOB_POLL_INTERVAL_MS
  int job_backoff_base_ms = 2000;   // JOB_BACKOFF_BASE_MS
  int job_backoff_cap_s = 3600;     // JOB_BACKOFF_CAP_S
  int order_payment_ttl_s = 1800;   // ORDER_PAYMENT_TTL_S
  int reconcile_interval_s = 3600;  // RECONCILE_INTERVAL_S
  bool jobs_outbox = true;          // JOBS_OUTBOX; false only for the benchmark comparison
  int job_retention_s = 7 * 86400;  // JOB_RETENTION_S: done jobs are deleted after it
  // Order mail (workers/mail/).
  std::string smtp_url;                      // SMTP_URL; secret (may hold a password); empty: unset
  std::string smtp_user;                     // SMTP_USER; overrides the URL's user
  std::string smtp_password;                 // SMTP_PASSWORD; secret; overrides the URL's password
  std::string mail_from = "shop@localhost";  // MAIL_FROM
  std::string mail_domain = "localhost";     // MAIL_DOMAIN (the Message-ID's right side)
  int smtp_connect_timeout_ms = 5000;        // SMTP_CONNECT_TIMEOUT_MS
  int smtp_timeout_ms = 30000;               // SMTP_TIMEOUT_MS
};

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::vector<std::string>& problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// Answers a variable's value, or nullptr when it has none.
using EnvLookup = std::function<const char*(const char*)>;

// Where a setting's value came from, as `ecommerce-server config` shows it.
enum class Source { kDefault, kEnv, kFile, kDerived };
const char* source_name(Source source);  // "default", "env", "file", "derived"
using SettingSources = std::map<std::string, Source>;

// One place values are looked up in. Layers are asked in order and the first
// that has the variable decides: an empty value there means the default.
struct ValueLayer {
  Source source;
  EnvLookup lookup;
};

// Reads every setting of the table through `layers`, validates it, then fills
// the defaults that depend on other settings and cross-checks them. Throws
// ConfigError listing every bad variable. When `sources` is given, it gets an
// entry for every setting.
Config load_config_layers(const std::vector<ValueLayer>& layers, SettingSources* sources = nullptr);

// load_config_layers over the environment alone (std::getenv in production).
Config load_config(const EnvLookup& env);

// The pool's defaults that depend on other settings, and the cross-checks
// between them (MIN_WORKERS <= WORKERS <= MAX_WORKERS, ...). Called by
// load_config_layers after the single-setting checks; returns the problems found.
std::vector<std::string> finish_pool_settings(Config& config);

// The least BCRYPT_COST production accepts.
inline constexpr int kMinProductionBcryptCost = 10;

// With APP_ENV=production, what must not be set: ENABLE_TEST_ROUTES=1, a
// BCRYPT_COST below kMinProductionBcryptCost, JOBS_OUTBOX=0. Empty in development. Called by
// load_config_layers, so neither a start nor a reload gets past it.
std::vector<std::string> production_problems(const Config& config);

// The mail settings' shapes: SMTP_URL (when set) is smtp:// or smtps://,
// MAIL_FROM a plain address (local@domain, printable ASCII, no spaces or
// angle brackets), MAIL_DOMAIN a domain name. Called by load_config_layers, so
// a bad value stops a start or a reload instead of every message later.
std::vector<std::string> mail_problems(const Config& config);

// "NAME=value", one per setting in the table's order, secrets masked: the start-up log.
std::vector<std::string> describe(const Config& config);

// Applies LOG_LEVEL and LOG_FORMAT to common::log (at start and on reload).
void init_logging(const Config& config);

}  // namespace common
