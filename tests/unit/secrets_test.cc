// Secret files: created privately and atomically, and only trusted when
// nobody else could have written or read them.
#include "common/secrets.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

std::string error_of(const std::string& path) {
  try {
    (void)common::read_secret_file(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a secret file that group or others may read or write is refused", "[unit][secrets]") {
  test_support::TempDir dir("secrets");
  for (mode_t mode : {0644, 0640, 0604, 0620, 0602}) {
    const fs::path path = dir.path() / (std::to_string(mode) + ".secret");
    write_file(path, "a-secret-of-some-length", mode);
    INFO(path);
    const std::string error = error_of(path.string());
    CHECK(error.find(path.string()) != std::string::npos);
    CHECK(error.find("chmod 600") != std::string::npos);
  }
  const fs::path ok = dir.path() / "ok";
  write_file(ok, "a-secret-of-some-length\n", 0600);
  CHECK(common::read_secret_file(ok.string()) == std::string("a-secret-of-some-length"));
}

TEST_CASE("a secret file that is a symlink is refused, even to a private file", "[unit][secrets]") {
  test_support::TempDir dir("secrets");
  const fs::path target = dir.path() / "target";
  write_file(target, "a-secret-of-some-length", 0600);
  const fs::path link = dir.path() / "link";
  fs::create_symlink(target, link);
  CHECK(error_of(link.string()).find(link.string()) != std::string::npos);
  CHECK_THROWS_AS(common::create_secret_file_once(link.string(), "other"), std::runtime_error);
  // A dangling link is not "missing": creating through it would write where it points.
  const fs::path dangling = dir.path() / "dangling";
  fs::create_symlink(dir.path() / "nowhere", dangling);
  CHECK_THROWS_AS(common::read_secret_file(dangling.string()), std::runtime_error);
  CHECK_THROWS_AS(common::create_secret_file_once(dangling.string(), "x"), std::runtime_error);
  CHECK_FALSE(fs::exists(dir.path() / "nowhere"));
}

TEST_CASE("a planted temp file is not written through", "[unit][secrets]") {
  test_support::TempDir dir("secrets");
  const fs::path path = dir.path() / "secret";
  const fs::path victim = dir.path() / "victim";
  write_file(victim, "untouched", 0600);
  // Whatever temp name the writer picks in this directory, a symlink there must
  // not be followed: plant one under every name of this process's pattern.
  fs::create_symlink(victim, path.string() + ".tmp." + std::to_string(::getpid()));
  CHECK(common::create_secret_file_once(path.string(), "fresh-secret") == "fresh-secret");
  std::ifstream in(victim);
  std::string text;
  std::getline(in, text);
  CHECK(text == "untouched");
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(S_ISREG(st.st_mode));
}

TEST_CASE("a secret file owned by another user is refused", "[unit][secrets]") {
  if (::geteuid() != 0) {
    SUCCEED("needs root to give a file away");
    return;
  }
  test_support::TempDir dir("secrets");
  const fs::path path = dir.path() / "theirs";
  write_file(path, "a-secret-of-some-length", 0600);
  REQUIRE(::chown(path.c_str(), 65534, 65534) == 0);
  CHECK(error_of(path.string()).find("owned by") != std::string::npos);
}
