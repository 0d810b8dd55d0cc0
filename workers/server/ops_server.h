// The master's two small servers, both on unix (or TCP) sockets it opened:
//   - FastCGI on STATUS_LISTEN, where nginx sends /status and /metrics, so
//     they answer even when every worker is busy (what they answer:
//     ops_routes.h);
//   - the control socket of ecommerce-ctl (workers/server/control.h).
// The master must never block on a client: sockets are non-blocking, their
// readiness is part of the master's own poll(), and a connection that has not
// finished within 2 s is closed.
#pragma once

#include <poll.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/address_allowlist.h"
#include "common/http.h"
#include "workers/server/listen_socket.h"

namespace server {

class OpsServer {
 public:
  // Answers one request from nginx (method, path, query, remote address and
  // request id are set; no headers or body).
  using HttpHandler = std::function<common::Response(const common::Request&)>;
  // Gets one command line, returns one reply line (without the newline).
  using ControlHandler = std::function<std::string(std::string_view line)>;

  // `status_allowlist`: the peers a TCP STATUS_LISTEN accepts (FCGI_ALLOWED_ADDRS);
  // std::nullopt for a unix socket. Others are closed at accept and logged.
  OpsServer(UniqueFd status_listener, UniqueFd control_listener, HttpHandler http,
            ControlHandler control,
            std::optional<common::AddressAllowlist> status_allowlist = std::nullopt);
  ~OpsServer();
  OpsServer(const OpsServer&) = delete;
  OpsServer& operator=(const OpsServer&) = delete;

  // Appends what to poll for; process() takes the same vector back, from `first` on.
  void add_poll_fds(std::vector<pollfd>& fds) const;
  void process(const std::vector<pollfd>& fds, size_t first);
  // Every descriptor it holds, for a forked child to close.
  std::vector<int> fds() const;
  int status_listener() const { return status_.get(); }
  int control_listener() const { return control_.get(); }

 private:
  struct Conn;
  void accept_all(int listener, bool control);
  void on_readable(Conn& c);
  void on_writable(Conn& c);
  void respond_http(Conn& c);

  UniqueFd status_;
  UniqueFd control_;
  HttpHandler http_;
  ControlHandler control_handler_;
  std::optional<common::AddressAllowlist> status_allowlist_;
  std::map<int, std::unique_ptr<Conn>> conns_;
};

}  // namespace server
