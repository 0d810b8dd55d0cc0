// A fresh private directory for a test (mkdtemp under the system temp dir),
// removed with everything in it when the object goes.
#pragma once

#include <filesystem>
#include <string>

namespace test_support {

class TempDir {
 public:
  // `stem` names the directory ("<stem>-XXXXXX"). FAILs the test when it cannot be made.
  explicit TempDir(const std::string& stem = "test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace test_support
