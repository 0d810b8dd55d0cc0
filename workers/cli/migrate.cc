// `migrate` and `migrate status`: numbered SQL files applied once each, in
// order, every file in its own transaction, recorded in schema_migrations.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/pg.h"
#include "common/sha256.h"
#include "workers/cli/cli_support.h"
#include "workers/cli/commands.h"

namespace cli {

namespace {

namespace pg = common::pg;

// The advisory lock every `migrate` holds for its whole run, so that two of
// them never apply the same file twice.
constexpr const char* kLockKey = "7305189627540036100";

const pg::Statement kTryLock{"migrate.try_lock", pg::Role::kMigrate, pg::Effect::kWrite,
                             "SELECT pg_try_advisory_lock($1::bigint)"};
const pg::Statement kLock{"migrate.lock", pg::Role::kMigrate, pg::Effect::kWrite,
                          "SELECT pg_advisory_lock($1::bigint)"};
const pg::Statement kUnlock{"migrate.unlock", pg::Role::kMigrate, pg::Effect::kWrite,
                            "SELECT pg_advisory_unlock($1::bigint)"};
const pg::Statement kTableExists{"migrate.table_exists", pg::Role::kMigrate, pg::Effect::kRead,
                                 "SELECT to_regclass('schema_migrations') IS NOT NULL"};
const pg::Statement kApplied{"migrate.applied", pg::Role::kMigrate, pg::Effect::kRead, R"SQL(
SELECT version, name, checksum, to_char(applied_at, 'YYYY-MM-DD HH24:MI:SS "UTC"')
FROM schema_migrations
ORDER BY version
)SQL"};
const pg::Statement kRecord{
    "migrate.record", pg::Role::kMigrate, pg::Effect::kWrite,
    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1::integer, $2, $3)"};

constexpr const char* kCreateTable = R"SQL(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
))SQL";

struct MigrationFile {
  int version;
  std::string name;      // "init" for 0001_init.sql
  std::string filename;  // "0001_init.sql"
  std::string sql;
  std::string checksum;  // SHA-256 of the bytes, lower-case hex
};

struct AppliedMigration {
  std::string name;
  std::string checksum;
  std::string applied_at;
};

// A refusal or failure, already worded for the operator.
class MigrateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Every NNNN_name.sql of `dir`, by version. Other .sql names and repeated
// versions are refused; files not ending in .sql are ignored.
std::vector<MigrationFile> load_migrations(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) {
    throw MigrateError("migrations directory '" + dir + "' does not exist");
  }
  static const std::regex kName(R"(([0-9]{4})_([A-Za-z0-9_]+)\.sql)");
  std::vector<MigrationFile> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    const std::string filename = entry.path().filename().string();
    if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
    std::smatch m;
    if (!std::regex_match(filename, m, kName)) {
      throw MigrateError(filename + ": a migration must be named NNNN_name.sql");
    }
    MigrationFile file{std::stoi(m[1].str()), m[2].str(), filename,
                       read_file(entry.path().string()), ""};
    file.checksum = common::sha256_hex(file.sql);
    files.push_back(std::move(file));
  }
  std::sort(files.begin(), files.end(),
            [](const MigrationFile& a, const MigrationFile& b) { return a.version < b.version; });
  for (size_t i = 1; i < files.size(); ++i) {
    if (files[i].version == files[i - 1].version) {
      throw MigrateError(files[i - 1].filename + " and " + files[i].filename +
                         " have the same version");
    }
  }
  return files;
}

std::map<int, AppliedMigration> read_applied(pg::Connection& db) {
  std::map<int, AppliedMigration> applied;
  if (!db.exec(kTableExists, {}).boolean(0, 0)) return applied;
  const pg::Result r = db.exec(kApplied, {});
  for (int i = 0; i < r.rows(); ++i) {
    applied[static_cast<int>(r.int64(i, 0))] = {r.str(i, 1), r.str(i, 2), r.str(i, 3)};
  }
  return applied;
}

std::string filename_of(int version, const std::string& name) {
  char number[16];
  std::snprintf(number, sizeof number, "%04d", version);
  return std::string(number) + "_" + name + ".sql";
}

// Refuses when what was applied no longer matches the files: an applied file
// edited, renamed or removed. Nothing is applied in that case.
void check_applied(const std::vector<MigrationFile>& files,
                   const std::map<int, AppliedMigration>& applied, const std::string& dir) {
  for (const auto& [version, row] : applied) {
    const auto file =
        std::find_if(files.begin(), files.end(),
                     [v = version](const MigrationFile& f) { return f.version == v; });
    if (file == files.end()) {
      throw MigrateError(filename_of(version, row.name) + " was applied on " + row.applied_at +
                         " but is missing from " + dir);
    }
    if (file->name != row.name) {
      throw MigrateError(file->filename + " has version " + std::to_string(version) +
                         ", which was applied as " + filename_of(version, row.name));
    }
    if (file->checksum != row.checksum) {
      throw MigrateError(file->filename + " was edited after it was applied on " + row.applied_at +
                         " (checksum " + file->checksum + ", recorded " + row.checksum +
                         "); add a new migration instead");
    }
  }
}

void take_lock(pg::Connection& db) {
  if (db.exec(kTryLock, {kLockKey}).boolean(0, 0)) return;
  std::printf("waiting for another migrate to finish...\n");
  std::fflush(stdout);
  (void)db.exec(kLock, {kLockKey});
}

// BEGIN; the file; its schema_migrations row; COMMIT. A failure rolls all of
// it back and is reported with the file's name.
void apply_one(pg::Connection& db, const MigrationFile& file) {
  const auto started = std::chrono::steady_clock::now();
  try {
    pg::transaction(
        db,
        [&](pg::Connection& c) {
          c.command(file.sql.c_str(), pg::Effect::kWrite);
          (void)c.exec(kRecord, {std::to_string(file.version), file.name, file.checksum});
        },
        1);
  } catch (const pg::DbError& e) {
    throw MigrateError(file.filename + " failed and was rolled back: " + describe(e));
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  std::printf("applied %s (%lld ms)\n", file.filename.c_str(), static_cast<long long>(ms.count()));
  std::fflush(stdout);
}

int run_migrations(pg::Connection& db, const std::vector<MigrationFile>& files,
                   const std::string& dir) {
  take_lock(db);
  db.command(kCreateTable, pg::Effect::kWrite);
  const std::map<int, AppliedMigration> applied = read_applied(db);
  check_applied(files, applied, dir);
  int count = 0;
  for (const MigrationFile& file : files) {
    if (applied.contains(file.version)) continue;
    apply_one(db, file);
    ++count;
  }
  (void)db.exec(kUnlock, {kLockKey});
  if (count == 0) {
    std::printf("database is up to date (%zu migrations applied)\n", applied.size());
  } else {
    std::printf("%d migration%s applied\n", count, count == 1 ? "" : "s");
  }
  return 0;
}

// One line per file: version, name, and when it was applied or "pending".
int print_status(pg::Connection& db, const std::vector<MigrationFile>& files) {
  const std::map<int, AppliedMigration> applied = read_applied(db);
  for (const MigrationFile& file : files) {
    const auto row = applied.find(file.version);
    if (row == applied.end()) {
      std::printf("%04d  %-32s pending\n", file.version, file.name.c_str());
      continue;
    }
    const bool edited = row->second.checksum != file.checksum || row->second.name != file.name;
    std::printf("%04d  %-32s applied %s%s\n", file.version, file.name.c_str(),
                row->second.applied_at.c_str(),
                edited ? "  EDITED SINCE (migrate will refuse)" : "");
  }
  for (const auto& [version, row] : applied) {
    const bool has_file =
        std::any_of(files.begin(), files.end(),
                    [v = version](const MigrationFile& f) { return f.version == v; });
    if (!has_file) {
      std::printf("%04d  %-32s applied %s  FILE MISSING (migrate will refuse)\n", version,
                  row.name.c_str(), row.applied_at.c_str());
    }
  }
  return 0;
}

}  // namespace

int migrate(const common::Config& config, const std::vector<std::string>& args) {
  const bool status = args.size() == 1 && args[0] == "status";
  if (!args.empty() && !status) {
    std::fprintf(stderr, "usage: ecommerce-server migrate [status]\n");
    return 2;
  }
  if (config.database_url.empty()) {
    std::fprintf(stderr, "migrate: DATABASE_URL is not set\n");
    return 2;
  }
  try {
    const std::vector<MigrationFile> files = load_migrations(config.migrations_dir);
    pg::Connection db(db_options(config, {pg::Role::kMigrate}));
    return status ? print_status(db, files) : run_migrations(db, files, config.migrations_dir);
  } catch (const pg::DbError& e) {
    std::fprintf(stderr, "migrate: %s\n", describe(e).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "migrate: %s\n", e.what());
  }
  return 1;
}

}  // namespace cli
