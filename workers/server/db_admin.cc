#include "workers/server/db_admin.h"

#include "common/pg.h"

namespace server {

namespace {

namespace pg = common::pg;

// reserved_connections exists from PostgreSQL 16 on; missing_ok gives NULL before.
const pg::Statement kDbLimits{"pool_admin.db_limits", pg::Role::kPoolAdmin, pg::Effect::kRead,
                              R"SQL(
SELECT current_setting('max_connections')::int,
       current_setting('superuser_reserved_connections')::int,
       coalesce(current_setting('reserved_connections', true), '0')::int
)SQL"};

const pg::Statement kCancelBackend{"pool_admin.cancel_backend", pg::Role::kPoolAdmin,
                                   pg::Effect::kWrite, "SELECT pg_cancel_backend($1::int)"};

// A connection of the master's role, opened on first use and closed by its
// destructor; it prepares only the statement it runs.
pg::ConnectionOptions admin_options(const common::Config& config) {
  pg::ConnectionOptions options;
  options.conninfo = config.database_url;
  options.connect_timeout_s = config.db_connect_timeout_s;
  options.statement_timeout_ms = config.db_statement_timeout_ms;
  options.application_name = "ecommerce-master";
  options.roles = pg::Roles{pg::Role::kPoolAdmin};
  options.prepare_on_connect = false;
  return options;
}

}  // namespace

std::optional<DbLimits> query_db_limits(const common::Config& config, std::string& error) {
  try {
    pg::Connection db(admin_options(config));
    const pg::Result r = db.exec(kDbLimits, {});
    DbLimits limits;
    limits.max_connections = static_cast<int>(r.int64(0, 0));
    limits.reserved = static_cast<int>(r.int64(0, 1) + r.int64(0, 2));
    return limits;
  } catch (const pg::DbError& e) {
    error = e.what();
    return std::nullopt;
  }
}

bool cancel_backend(const common::Config& config, int backend_pid, std::string& error) {
  try {
    pg::Connection db(admin_options(config));
    if (!db.exec(kCancelBackend, {std::to_string(backend_pid)}).boolean(0, 0)) {
      error = "no such backend (the query had already ended)";
      return false;
    }
    return true;
  } catch (const pg::DbError& e) {
    error = e.what();
    return false;
  }
}

}  // namespace server
