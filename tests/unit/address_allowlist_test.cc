// FCGI_ALLOWED_ADDRS: what the list accepts, which peers it lets in, how the
// configuration derives and validates it, and that a worker's accept closes a
// refused peer before reading anything while serving an allowed one.
#include "common/address_allowlist.h"

#include <arpa/inet.h>
#include <fcgiapp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "common/config.h"
#include "tests/support/env.h"
#include "workers/server/fcgi_accept.h"
#include "workers/server/fcgi_codec.h"
#include "workers/server/listen_socket.h"

namespace {

sockaddr_in v4(const char* text) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  REQUIRE(::inet_pton(AF_INET, text, &a.sin_addr) == 1);
  return a;
}

sockaddr_in6 v6(const char* text) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  REQUIRE(::inet_pton(AF_INET6, text, &a.sin6_addr) == 1);
  return a;
}

template <typename Addr>
bool allows(const common::AddressAllowlist& list, const Addr& a) {
  return list.allows(reinterpret_cast<const sockaddr*>(&a), sizeof a);
}

common::AddressAllowlist parse_ok(const char* text) {
  std::string error;
  auto list = common::AddressAllowlist::parse(text, error);
  INFO(error);
  REQUIRE(list.has_value());
  return *list;
}

// The port a listening socket was given (bound to port 0).
int port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  return ntohs(a.sin_port);
}

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = v4("127.0.0.1");
  a.sin_port = htons(static_cast<uint16_t>(port));
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

// Accepts until something other than "nothing waiting yet" happens.
server::AcceptResult accept_one(FCGX_Request& req, int listen_fd,
                                const std::optional<common::AddressAllowlist>& list) {
  for (int i = 0; i < 200; ++i) {
    const server::AcceptResult r = server::accept_request(req, listen_fd, list);
    if (r != server::AcceptResult::kNone) return r;
    ::usleep(5000);
  }
  return server::AcceptResult::kNone;
}

}  // namespace

TEST_CASE("allowlist entries are numeric IPv4 or IPv6 addresses", "[unit][allowlist]") {
  struct Case {
    const char* text;
    bool ok;
    size_t size;
  };
  const Case cases[] = {
      {"127.0.0.1", true, 1},      {"10.0.0.5, 10.0.0.6 ,::1", true, 3},
      {"fd00::2", true, 1},        {"", false, 0},
      {"10.0.0.5,", false, 0},     {",10.0.0.5", false, 0},
      {"10.0.0.0/24", false, 0},   {"localhost", false, 0},
      {"10.0.0.5:9000", false, 0}, {"300.1.1.1", false, 0},
  };
  for (const Case& c : cases) {
    INFO("FCGI_ALLOWED_ADDRS=" << c.text);
    std::string error;
    const auto list = common::AddressAllowlist::parse(c.text, error);
    CHECK(list.has_value() == c.ok);
    if (list) {
      CHECK(list->size() == c.size);
    } else {
      CHECK(error.find("FCGI_ALLOWED_ADDRS") != std::string::npos);
    }
  }
}

TEST_CASE("the allowlist lets in exactly its addresses", "[unit][allowlist]") {
  const common::AddressAllowlist list = parse_ok("10.0.0.5,fd00::2");
  CHECK(allows(list, v4("10.0.0.5")));
  CHECK_FALSE(allows(list, v4("10.0.0.6")));
  CHECK_FALSE(allows(list, v4("127.0.0.1")));
  CHECK(allows(list, v6("fd00::2")));
  CHECK_FALSE(allows(list, v6("fd00::3")));
  // A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d.
  CHECK(allows(list, v6("::ffff:10.0.0.5")));
  CHECK_FALSE(allows(list, v6("::ffff:10.0.0.6")));
  sockaddr other{};
  other.sa_family = AF_UNIX;
  CHECK_FALSE(list.allows(&other, sizeof other));
  CHECK_FALSE(list.allows(nullptr, 0));
  const sockaddr_in peer = v4("10.0.0.5");
  CHECK(common::AddressAllowlist::peer_text(reinterpret_cast<const sockaddr*>(&peer),
                                            sizeof peer) == "10.0.0.5");
}

TEST_CASE("a TCP LISTEN accepts loopback only unless FCGI_ALLOWED_ADDRS says more",
          "[unit][allowlist][config]") {
  const common::Config tcp =
      test_support::config_from({{"STATE_DIR", "/srv/s"}, {"LISTEN", "10.0.0.2:9000"}});
  CHECK(tcp.fcgi_allowed_addrs == "127.0.0.1,::1");

  const common::Config edge = test_support::config_from(
      {{"STATE_DIR", "/srv/s"}, {"LISTEN", "10.0.0.2:9000"}, {"FCGI_ALLOWED_ADDRS", "10.0.0.9"}});
  CHECK(edge.fcgi_allowed_addrs == "10.0.0.9");

  // A unix socket is guarded by its mode; the setting is not used.
  const common::Config local = test_support::config_from({{"STATE_DIR", "/srv/s"}});
  CHECK(local.fcgi_allowed_addrs.empty());

  CHECK_THROWS_AS(test_support::config_from({{"STATE_DIR", "/srv/s"},
                                             {"LISTEN", "10.0.0.2:9000"},
                                             {"FCGI_ALLOWED_ADDRS", "edge.internal"}}),
                  common::ConfigError);
  // A TCP STATUS_LISTEN is guarded by the same list.
  CHECK_THROWS_AS(test_support::config_from({{"STATE_DIR", "/srv/s"},
                                             {"STATUS_LISTEN", "10.0.0.2:9001"},
                                             {"FCGI_ALLOWED_ADDRS", "10.0.0.0/8"}}),
                  common::ConfigError);
}

TEST_CASE("a refused peer is closed unread and an allowed one is served",
          "[unit][allowlist][accept]") {
  REQUIRE(FCGX_Init() == 0);
  server::ListenSocket listener = server::open_listen_socket("127.0.0.1:0", 16);
  const int port = port_of(listener.fd.get());
  FCGX_Request req;
  FCGX_InitRequest(&req, -1, 0);

  SECTION("a peer not on the list") {
    const int client = connect_to(port);
    CHECK(accept_one(req, listener.fd.get(), parse_ok("10.9.9.9")) ==
          server::AcceptResult::kRejected);
    char byte = 0;
    CHECK(::read(client, &byte, 1) == 0);  // closed, nothing written
    CHECK(req.ipcFd < 0);
    ::close(client);
  }

  SECTION("a peer on the list") {
    const int client = connect_to(port);
    const std::string request =
        server::fcgi::encode_request(1, {{"REQUEST_METHOD", "GET"}, {"REQUEST_URI", "/x"}}, "");
    REQUIRE(::write(client, request.data(), request.size()) ==
            static_cast<ssize_t>(request.size()));
    REQUIRE(accept_one(req, listener.fd.get(), parse_ok("127.0.0.1")) ==
            server::AcceptResult::kRequest);
    CHECK(std::strcmp(FCGX_GetParam("REQUEST_URI", req.envp), "/x") == 0);
    FCGX_Finish_r(&req);
    CHECK(req.ipcFd < 0);
    ::close(client);
  }

  SECTION("a peer that hangs up before a whole request") {
    const int client = connect_to(port);
    ::close(client);
    CHECK(accept_one(req, listener.fd.get(), parse_ok("127.0.0.1")) ==
          server::AcceptResult::kDropped);
    CHECK(req.ipcFd < 0);
  }
}
