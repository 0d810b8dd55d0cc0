// `migrate` and `migrate status` against databases of their own (each test
// makes a TemporaryDatabase), with copies of sql/migrations where a test
// changes files.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/pg.h"
#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "workers/cli/commands.h"

namespace {

namespace fs = std::filesystem;
namespace pg = common::pg;
using test_support::run_sql;
using test_support::TemporaryDatabase;

const pg::Statement kRecorded{"test.migrations.recorded", pg::Role::kTest, pg::Effect::kRead, R"SQL(
SELECT version, name, checksum, applied_at::text FROM schema_migrations ORDER BY version
)SQL"};
// An independent SHA-256 (the server's) of a file's text.
const pg::Statement kSha256{"test.migrations.sha256", pg::Role::kTest, pg::Effect::kRead,
                            "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')"};
const pg::Statement kTableExists{"test.migrations.table_exists", pg::Role::kTest, pg::Effect::kRead,
                                 "SELECT to_regclass($1) IS NOT NULL"};

// What a command wrote to stdout and stderr, and its exit code.
struct Outcome {
  int rc;
  std::string out;
  std::string err;
};

// Runs `fn` with stdout and stderr sent to temporary files.
template <class Fn>
Outcome capture(Fn&& fn) {
  std::fflush(stdout);
  std::fflush(stderr);
  FILE* out = std::tmpfile();
  FILE* err = std::tmpfile();
  const int saved_out = dup(STDOUT_FILENO);
  const int saved_err = dup(STDERR_FILENO);
  dup2(fileno(out), STDOUT_FILENO);
  dup2(fileno(err), STDERR_FILENO);
  const int rc = fn();
  std::fflush(stdout);
  std::fflush(stderr);
  dup2(saved_out, STDOUT_FILENO);
  dup2(saved_err, STDERR_FILENO);
  close(saved_out);
  close(saved_err);
  auto slurp = [](FILE* f) {
    std::string text;
    std::rewind(f);
    char buffer[4096];
    size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
    std::fclose(f);
    return text;
  };
  return {rc, slurp(out), slurp(err)};
}

Outcome migrate(const common::Config& config, std::vector<std::string> args = {}) {
  return capture([&] { return cli::migrate(config, args); });
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<fs::path> migration_files(const std::string& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".sql") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool table_exists(pg::Connection& db, const std::string& table) {
  return db.exec(kTableExists, {table}).boolean(0, 0);
}

// A copy of the project's migrations that a test may edit; removed at the end.
class MigrationsCopy {
 public:
  explicit MigrationsCopy(const std::string& source)
      : dir_(fs::temp_directory_path() / ("migrations-" + test_support::unique_suffix())) {
    fs::create_directories(dir_);
    for (const fs::path& file : migration_files(source))
      fs::copy_file(file, dir_ / file.filename());
  }
  ~MigrationsCopy() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

}  // namespace

TEST_CASE("migrate applies every file in order and records its checksum",
          "[integration][migrations]") {
  TemporaryDatabase scratch;
  const common::Config config = scratch.config();
  const Outcome first = migrate(config);
  INFO(first.out << first.err);
  REQUIRE(first.rc == 0);

  pg::Connection db(test_support::unprepared_options(scratch.url()));
  const std::vector<fs::path> files = migration_files(config.migrations_dir);
  const pg::Result recorded = db.exec(kRecorded, {});
  REQUIRE(recorded.rows() == static_cast<int>(files.size()));
  for (int i = 0; i < recorded.rows(); ++i) {
    const std::string filename = files[i].filename().string();
    INFO(filename);
    CHECK(recorded.int64(i, 0) == std::stoi(filename.substr(0, 4)));
    CHECK(filename.substr(5, filename.size() - 9) == recorded.str(i, 1));
    CHECK(recorded.str(i, 2) == db.exec(kSha256, {read_text(files[i])}).str(0, 0));
    CHECK(first.out.find("applied " + filename) != std::string::npos);
  }
  CHECK(table_exists(db, "products"));
  CHECK(table_exists(db, "cart_items"));
}

TEST_CASE("migrate applies nothing when everything is applied", "[integration][migrations]") {
  TemporaryDatabase scratch;
  const common::Config config = scratch.config();
  REQUIRE(migrate(config).rc == 0);
  pg::Connection db(test_support::unprepared_options(scratch.url()));
  const pg::Result before = db.exec(kRecorded, {});

  const Outcome again = migrate(config);
  CHECK(again.rc == 0);
  CHECK(again.out.find("up to date") != std::string::npos);
  const pg::Result after = db.exec(kRecorded, {});
  REQUIRE(after.rows() == before.rows());
  for (int i = 0; i < after.rows(); ++i) CHECK(after.str(i, 3) == before.str(i, 3));
}

TEST_CASE("migrate status lists each file as pending or applied and changes nothing",
          "[integration][migrations]") {
  TemporaryDatabase scratch;
  const common::Config config = scratch.config();
  const std::vector<fs::path> files = migration_files(config.migrations_dir);

  const Outcome pending = migrate(config, {"status"});
  CHECK(pending.rc == 0);
  pg::Connection db(test_support::unprepared_options(scratch.url()));
  CHECK_FALSE(table_exists(db, "schema_migrations"));
  for (const fs::path& file : files) {
    const std::string name = file.filename().string();
    const std::string line = name.substr(0, 4) + "  " + name.substr(5, name.size() - 9);
    INFO(pending.out);
    CHECK(pending.out.find(line) != std::string::npos);
  }
  CHECK(pending.out.find("pending") != std::string::npos);
  CHECK(pending.out.find("applied") == std::string::npos);

  REQUIRE(migrate(config).rc == 0);
  const Outcome applied = migrate(config, {"status"});
  CHECK(applied.rc == 0);
  CHECK(applied.out.find("pending") == std::string::npos);
  CHECK(applied.out.find("applied 20") != std::string::npos);  // with the time
}

TEST_CASE("migrate refuses to run when an applied file was edited", "[integration][migrations]") {
  TemporaryDatabase scratch;
  MigrationsCopy copy(test_support::test_config().migrations_dir);
  common::Config config = scratch.config();
  config.migrations_dir = copy.dir().string();
  REQUIRE(migrate(config).rc == 0);

  const fs::path first = migration_files(config.migrations_dir).front();
  write_text(first, read_text(first) + "\n-- edited after it was applied\n");
  write_text(copy.dir() / "9001_later.sql", "CREATE TABLE later_table (id integer);\n");

  const Outcome refused = migrate(config);
  CHECK(refused.rc == 1);
  CHECK(refused.err.find(first.filename().string()) != std::string::npos);
  CHECK(refused.err.find("edited") != std::string::npos);
  // Refused before applying anything.
  pg::Connection db(test_support::unprepared_options(scratch.url()));
  CHECK_FALSE(table_exists(db, "later_table"));
  CHECK(migrate(config, {"status"}).out.find("EDITED") != std::string::npos);
}

TEST_CASE("migrate refuses to run when an applied file is missing", "[integration][migrations]") {
  TemporaryDatabase scratch;
  MigrationsCopy copy(test_support::test_config().migrations_dir);
  common::Config config = scratch.config();
  config.migrations_dir = copy.dir().string();
  write_text(copy.dir() / "9001_extra.sql", "CREATE TABLE extra_table (id integer);\n");
  REQUIRE(migrate(config).rc == 0);

  fs::remove(copy.dir() / "9001_extra.sql");
  write_text(copy.dir() / "9002_later.sql", "CREATE TABLE later_table (id integer);\n");
  const Outcome refused = migrate(config);
  CHECK(refused.rc == 1);
  CHECK(refused.err.find("9001_extra.sql") != std::string::npos);
  CHECK(refused.err.find("missing") != std::string::npos);
  pg::Connection db(test_support::unprepared_options(scratch.url()));
  CHECK_FALSE(table_exists(db, "later_table"));
}

TEST_CASE("a failing migration is rolled back wholly and not recorded",
          "[integration][migrations]") {
  TemporaryDatabase scratch;
  MigrationsCopy copy(test_support::test_config().migrations_dir);
  common::Config config = scratch.config();
  config.migrations_dir = copy.dir().string();
  const fs::path broken = copy.dir() / "9001_broken.sql";
  write_text(broken,
             "CREATE TABLE half_done (id integer);\n"
             "INSERT INTO no_such_table VALUES (1);\n");

  const Outcome failed = migrate(config);
  CHECK(failed.rc == 1);
  CHECK(failed.err.find("9001_broken.sql") != std::string::npos);
  CHECK(failed.err.find("SQLSTATE 42P01") != std::string::npos);

  pg::Connection db(test_support::unprepared_options(scratch.url()));
  CHECK_FALSE(table_exists(db, "half_done"));
  const pg::Result recorded = db.exec(kRecorded, {});
  CHECK(recorded.rows() == static_cast<int>(migration_files(config.migrations_dir).size()) - 1);
  for (int i = 0; i < recorded.rows(); ++i) CHECK(recorded.int64(i, 0) != 9001);

  // Fixed, it applies on the next run.
  write_text(broken, "CREATE TABLE half_done (id integer);\n");
  CHECK(migrate(config).rc == 0);
  CHECK(table_exists(db, "half_done"));
}

TEST_CASE("two concurrent migrates apply each file once", "[integration][migrations]") {
  TemporaryDatabase scratch;
  const common::Config config = scratch.config();
  int rc1 = -1;
  int rc2 = -1;
  std::thread a([&] { rc1 = cli::migrate(config, {}); });
  std::thread b([&] { rc2 = cli::migrate(config, {}); });
  a.join();
  b.join();
  CHECK(rc1 == 0);
  CHECK(rc2 == 0);
  pg::Connection db(test_support::unprepared_options(scratch.url()));
  CHECK(db.exec(kRecorded, {}).rows() ==
        static_cast<int>(migration_files(config.migrations_dir).size()));
}

TEST_CASE("migrate rejects unknown arguments and misnamed files", "[integration][migrations]") {
  TemporaryDatabase scratch;
  MigrationsCopy copy(test_support::test_config().migrations_dir);
  common::Config config = scratch.config();
  CHECK(migrate(config, {"sideways"}).rc == 2);

  config.migrations_dir = copy.dir().string();
  write_text(copy.dir() / "add_things.sql", "SELECT 1;\n");
  const Outcome misnamed = migrate(config);
  CHECK(misnamed.rc == 1);
  CHECK(misnamed.err.find("add_things.sql") != std::string::npos);
  pg::Connection db(test_support::unprepared_options(scratch.url()));
  CHECK_FALSE(table_exists(db, "schema_migrations"));
}
