#include "workers/server/fcgi_accept.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "common/log.h"

namespace server {

AcceptResult accept_request(FCGX_Request& req, int listen_fd,
                            const std::optional<common::AddressAllowlist>& allowlist) {
  sockaddr_storage peer{};
  socklen_t len = sizeof peer;
  // The accepted socket is blocking (accept4 does not pass O_NONBLOCK on):
  // libfcgi reads and writes it with plain read/write.
  const int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
  if (fd < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) {
      return AcceptResult::kNone;
    }
    common::log::error("accept failed", {{"errno", errno}});
    return AcceptResult::kError;
  }
  const auto* addr = reinterpret_cast<const sockaddr*>(&peer);
  if (allowlist) {
    if (!allowlist->allows(addr, len)) {
      ::close(fd);
      common::log::warn("fastcgi connection refused: address not in FCGI_ALLOWED_ADDRS",
                        {{"peer", common::AddressAllowlist::peer_text(addr, len)}});
      return AcceptResult::kRejected;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  // Handed to libfcgi as an open connection. keepConnection stops the
  // FCGX_Finish_r that FCGX_Accept_r starts with from closing it; the
  // request's own flags then set it again.
  req.ipcFd = fd;
  req.keepConnection = 1;
  const int rc = FCGX_Accept_r(&req);
  if (rc < 0) {
    // libfcgi closed the connection; with no listening socket of its own it
    // then returns instead of accepting another.
    if (req.ipcFd >= 0) {
      FCGX_Free(&req, 1);
    }
    return AcceptResult::kDropped;
  }
  return AcceptResult::kRequest;
}

std::optional<common::AddressAllowlist> listen_allowlist(const std::string& listen,
                                                         const std::string& allowed_addrs) {
  if (!common::is_tcp_listen(listen)) return std::nullopt;
  std::string error;
  if (auto list = common::AddressAllowlist::parse(allowed_addrs, error)) return list;
  common::log::error("FCGI_ALLOWED_ADDRS is invalid; refusing every peer", {{"reason", error}});
  return common::AddressAllowlist{};
}

}  // namespace server
