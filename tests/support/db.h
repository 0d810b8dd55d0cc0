// Integration tests' access to a real PostgreSQL: the database named by
// TEST_DATABASE_URL (scripts/test.sh starts a throwaway cluster for `make test`).
//
// The tests of one binary share that database, so each test that writes starts
// with truncate_all(), and tests that need a database of their own (migrations)
// make a TemporaryDatabase. Integration tests must not run in parallel with
// each other against the same TEST_DATABASE_URL.
#pragma once

#include <string>

#include "common/config.h"
#include "common/pg.h"

namespace test_support {

// TEST_DATABASE_URL. When it is unset the running test FAILs (never skips):
// integration tests are meant to run through `make test`.
std::string database_url();

// The configuration the CLI commands get in tests: database_url, and
// migrations_dir / seed_file from MIGRATIONS_DIR / SEED_FILE or else the
// source tree's sql/migrations and sql/seed.sql; the seed's admin account from
// ADMIN_EMAIL / ADMIN_PASSWORD (else admin@example.com with a fixed test
// password), bcrypt_cost 4.
common::Config test_config();

// `conninfo` (URL or key=value string) with its database replaced by `dbname`,
// as a key=value connection string.
std::string with_dbname(const std::string& conninfo, const std::string& dbname);

// Options for a connection of every role that prepares nothing until used: for databases
// that may not have the schema (a TemporaryDatabase before migrating).
common::pg::ConnectionOptions unprepared_options(const std::string& conninfo);

// A connection to TEST_DATABASE_URL on which every migration has been applied
// (by cli::migrate, once per process) and the test helpers below exist. It
// is of every pg::Role, connects on first use and then prepares every
// registered Statement, so a
// statement whose SQL does not fit the schema fails the test.
//
// Test helper in that database:
//   test_fail_first(counter regclass, failures bigint, sqlstate text) -> bigint
//   takes nextval(counter) (not undone by a rollback) and raises `sqlstate`
//   while that value is <= failures; returns the value otherwise.
common::pg::Connection migrated_connection();
// The options of migrated_connection(), for a test that needs other settings
// (the migrations and helpers are in place when this returns).
common::pg::ConnectionOptions migrated_options();

// Empties every table of the application (all tables of the current schema
// except schema_migrations) and restarts their identities.
void truncate_all(common::pg::Connection& conn);

// Runs fixed test SQL (several statements allowed) through the simple-query
// protocol and returns the last statement's result. Throws pg::DbError,
// classified like Connection::exec's errors.
common::pg::Result run_sql(common::pg::Connection& conn, const std::string& sql);

// A database of its own on the TEST_DATABASE_URL server, created empty (from
// template1) with a unique name and dropped, with any session still on it, by
// the destructor.
class TemporaryDatabase {
 public:
  TemporaryDatabase();
  ~TemporaryDatabase();
  TemporaryDatabase(const TemporaryDatabase&) = delete;
  TemporaryDatabase& operator=(const TemporaryDatabase&) = delete;

  const std::string& name() const { return name_; }
  // A connection string for this database.
  const std::string& url() const { return url_; }
  // test_config() pointed at this database.
  common::Config config() const;

 private:
  std::string name_;
  std::string server_url_;  // TEST_DATABASE_URL
  std::string url_;
};

}  // namespace test_support
