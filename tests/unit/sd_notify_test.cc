// The service manager's notify protocol, against a datagram socket bound where
// $NOTIFY_SOCKET would point (a path, and an abstract name).
#include "workers/server/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstddef>
#include <cstring>
#include <string>

#include "common/unique_fd.h"

namespace {

// A bound SOCK_DGRAM socket; `name` starting with '@' is abstract.
common::UniqueFd bind_datagram(const std::string& name) {
  common::UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd.get() >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  REQUIRE(name.size() < sizeof addr.sun_path);
  std::memcpy(addr.sun_path, name.data(), name.size());
  if (name[0] == '@') addr.sun_path[0] = '\0';
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), length) == 0);
  return fd;
}

std::string receive(const common::UniqueFd& fd) {
  char buf[512];
  const ssize_t n = ::recv(fd.get(), buf, sizeof buf, MSG_DONTWAIT);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

}  // namespace

TEST_CASE("readiness, reload and stop reach a socket bound at a path", "[unit][sd_notify]") {
  const std::string path = "/tmp/sd-notify-test-" + std::to_string(::getpid()) + ".sock";
  ::unlink(path.c_str());
  const common::UniqueFd fd = bind_datagram(path);
  const server::Notifier notifier(path);
  CHECK(notifier.enabled());

  REQUIRE(notifier.ready(1234, "4 workers ready"));
  CHECK(receive(fd) == "READY=1\nMAINPID=1234\nSTATUS=4 workers ready");
  REQUIRE(notifier.reloading(""));
  const std::string reloading = receive(fd);
  CHECK(reloading.starts_with("RELOADING=1\nMONOTONIC_USEC="));
  CHECK(reloading.find("STATUS") == std::string::npos);
  REQUIRE(notifier.stopping("stopping"));
  CHECK(receive(fd) == "STOPPING=1\nSTATUS=stopping");
  ::unlink(path.c_str());
}

TEST_CASE("a name starting with '@' is an abstract socket", "[unit][sd_notify]") {
  const std::string name = "@sd-notify-test-" + std::to_string(::getpid());
  const common::UniqueFd fd = bind_datagram(name);
  REQUIRE(server::Notifier(name).send("READY=1"));
  CHECK(receive(fd) == "READY=1");
}

TEST_CASE("without a socket nothing is sent and nothing fails", "[unit][sd_notify]") {
  const server::Notifier none("");
  CHECK_FALSE(none.enabled());
  CHECK(none.ready(1, "ready"));
}

TEST_CASE("a socket nobody listens on is a failure the caller sees", "[unit][sd_notify]") {
  CHECK_FALSE(server::Notifier("/tmp/no-such-notify-socket-for-tests").send("READY=1"));
  CHECK_FALSE(server::Notifier("relative/path").send("READY=1"));
}
