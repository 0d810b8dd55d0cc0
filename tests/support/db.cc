#include "tests/support/db.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <memory>

#include "workers/cli/commands.h"

namespace test_support {

namespace pg = common::pg;

namespace {

constexpr const char* kInstallHelpers = R"SQL(
BEGIN;
SELECT pg_advisory_xact_lock(7305189627540036102);
CREATE OR REPLACE FUNCTION test_fail_first(counter regclass, failures bigint, state text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  calls bigint := nextval(counter);
BEGIN
  IF calls <= failures THEN
    RAISE EXCEPTION 'forced failure % of %', calls, failures USING ERRCODE = state;
  END IF;
  RETURN calls;
END
$$;
COMMIT;
)SQL";

// Server-side, so that tables added by later migrations are included.
constexpr const char* kTruncateAll = R"SQL(
DO $$
DECLARE
  tables text;
BEGIN
  SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') INTO tables
  FROM pg_tables
  WHERE schemaname = current_schema() AND tablename <> 'schema_migrations';
  IF tables IS NOT NULL THEN
    EXECUTE 'TRUNCATE ' || tables || ' RESTART IDENTITY CASCADE';
  END IF;
END
$$)SQL";

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

// Migrations and helpers, once per process. Through a connection that prepares
// nothing, since registered statements may need what this creates.
void prepare_database() {
  static bool done = false;
  if (done) return;
  const int rc = cli::migrate(test_config(), {});
  if (rc != 0) FAIL("cli::migrate failed with exit code " << rc << " (see stderr)");
  pg::Connection conn(unprepared_options(database_url()));
  conn.command(kInstallHelpers, pg::Effect::kWrite);
  done = true;
}

std::string quoted_conninfo_value(const char* value) {
  std::string out = "'";
  for (const char* c = value; *c; ++c) {
    if (*c == '\'' || *c == '\\') out += '\\';
    out += *c;
  }
  return out + "'";
}

}  // namespace

std::string database_url() {
  const char* url = std::getenv("TEST_DATABASE_URL");
  if (url == nullptr || *url == '\0') {
    FAIL("TEST_DATABASE_URL unset: run the integration tests through `make test`");
  }
  return url;
}

common::Config test_config() {
  common::Config config;
  config.database_url = database_url();
  config.migrations_dir = env_or("MIGRATIONS_DIR", ECOMMERCE_SOURCE_DIR "/sql/migrations");
  config.seed_file = env_or("SEED_FILE", ECOMMERCE_SOURCE_DIR "/sql/seed.sql");
  // The seed's admin account: a known password (none would be generated into
  // ./var) and the cheapest bcrypt cost, which tests do not need to be strong.
  config.admin_email = env_or("ADMIN_EMAIL", config.admin_email);
  config.admin_password = env_or("ADMIN_PASSWORD", "integration-admin-password");
  config.bcrypt_cost = 4;
  return config;
}

std::string with_dbname(const std::string& conninfo, const std::string& dbname) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(conninfo.c_str(), &error), &PQconninfoFree);
  if (!options) {
    const std::string message = error ? error : "out of memory";
    PQfreemem(error);
    FAIL("cannot parse the connection string: " << message);
  }
  std::string out = "dbname=" + quoted_conninfo_value(dbname.c_str());
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string_view(o->keyword) == "dbname") continue;
    out += std::string(" ") + o->keyword + "=" + quoted_conninfo_value(o->val);
  }
  return out;
}

pg::ConnectionOptions unprepared_options(const std::string& conninfo) {
  pg::ConnectionOptions options;
  options.conninfo = conninfo;
  options.roles = pg::Roles::all();
  options.prepare_on_connect = false;
  return options;
}

pg::ConnectionOptions migrated_options() {
  prepare_database();
  pg::ConnectionOptions options;
  options.conninfo = database_url();
  options.roles = pg::Roles::all();
  return options;
}

pg::Connection migrated_connection() { return pg::Connection(migrated_options()); }

void truncate_all(pg::Connection& conn) { conn.command(kTruncateAll, pg::Effect::kWrite); }

pg::Result run_sql(pg::Connection& conn, const std::string& sql) {
  conn.ensure_connected();
  PGresult* res = PQexec(conn.raw(), sql.c_str());
  const ExecStatusType status = PQresultStatus(res);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    return pg::Result(res);
  }
  const pg::Result failed(res);  // frees it
  auto field = [res](int code) {
    const char* value = PQresultErrorField(res, code);
    return std::string(value ? value : "");
  };
  const std::string sqlstate = field(PG_DIAG_SQLSTATE);
  const pg::DbErrorKind kind = PQstatus(conn.raw()) == CONNECTION_OK
                                   ? pg::classify_sqlstate(sqlstate)
                                   : pg::DbErrorKind::kConnection;
  throw pg::DbError(kind, sqlstate, field(PG_DIAG_CONSTRAINT_NAME),
                    "run_sql: " + field(PG_DIAG_MESSAGE_PRIMARY));
}

TemporaryDatabase::TemporaryDatabase() {
  static std::atomic<int> counter{0};
  name_ = "itest_tmp_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  server_url_ = database_url();
  url_ = with_dbname(server_url_, name_);
  pg::Connection admin(unprepared_options(server_url_));
  run_sql(admin, "CREATE DATABASE " + name_ + " TEMPLATE template1");
}

TemporaryDatabase::~TemporaryDatabase() {
  try {
    pg::Connection admin(unprepared_options(server_url_));
    run_sql(admin, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // Best effort: a leftover itest_tmp_* database goes with the throwaway cluster.
  }
}

common::Config TemporaryDatabase::config() const {
  common::Config config = test_config();
  config.database_url = url_;
  return config;
}

}  // namespace test_support
