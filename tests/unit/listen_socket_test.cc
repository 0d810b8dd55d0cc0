// Local sockets are private from the moment they exist: the FastCGI and status
// sockets reachable by the service's group only, in a directory only the
// service user and that group can enter.
#include "workers/server/listen_socket.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <string>

#include "tests/support/temp_dir.h"

namespace {

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Runs the test under a permissive umask and puts the old one back.
struct UmaskGuard {
  explicit UmaskGuard(mode_t mask) : old(::umask(mask)) {}
  ~UmaskGuard() { ::umask(old); }
  mode_t old;
};

}  // namespace

TEST_CASE("unix sockets are 0660 by default and 0600 when asked, whatever the umask",
          "[unit][listen]") {
  test_support::TempDir dir("listen");
  const UmaskGuard permissive(0);
  const std::string run = (dir.path() / "run").string();
  const server::ListenSocket fcgi = server::open_listen_socket("unix:" + run + "/fcgi.sock", 8);
  CHECK(mode_of(run + "/fcgi.sock") == 0660);
  CHECK(mode_of(run) == 0750);
  const server::ListenSocket ctl = server::open_listen_socket("unix:" + run + "/ctl.sock", 8, 0600);
  CHECK(mode_of(run + "/ctl.sock") == 0600);
  CHECK(::umask(0) == 0);  // the process's umask is left as it was
}

TEST_CASE("an existing socket directory keeps the mode its owner chose", "[unit][listen]") {
  test_support::TempDir dir("listen");
  REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  const server::ListenSocket s =
      server::open_listen_socket("unix:" + (dir.path() / "s.sock").string(), 8);
  CHECK(mode_of(dir.path().string()) == 0755);
  CHECK(mode_of((dir.path() / "s.sock").string()) == 0660);
}
