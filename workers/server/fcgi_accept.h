// Taking FastCGI connections off the listening socket. The worker accepts
// itself, rather than letting libfcgi do it, so that a TCP peer is checked
// against FCGI_ALLOWED_ADDRS before a single byte of it is read; libfcgi then
// reads the request from the connection it is handed. The request must be
// initialised with FCGX_InitRequest(&req, -1, 0): libfcgi is never given the
// listening socket, so it cannot accept on its own (after a connection that
// broke off mid-request, for instance) and bypass the check.
#pragma once

#include <fcgiapp.h>

#include <optional>

#include "common/address_allowlist.h"

namespace server {

enum class AcceptResult {
  kRequest,   // `req` holds a request: serve it, then FCGX_Finish_r
  kNone,      // nothing waiting (another worker took it, or EINTR): poll again
  kRejected,  // a peer not on the list: closed unread, logged
  kDropped,   // the connection ended before a whole request arrived
  kError,     // accept(2) failed for another reason (logged)
};

// Accepts one connection from the non-blocking `listen_fd` and reads its
// request into `req`. `allowlist` is std::nullopt for a unix socket (its file
// mode guards it); otherwise a peer not on it is closed at once and logged
// ("fastcgi connection refused", with its address).
[[nodiscard]] AcceptResult accept_request(FCGX_Request& req, int listen_fd,
                                          const std::optional<common::AddressAllowlist>& allowlist);

// The allowlist a LISTEN value needs: FCGI_ALLOWED_ADDRS for TCP, std::nullopt
// for "unix:PATH". The value was validated with the configuration; an invalid
// one here refuses every peer.
std::optional<common::AddressAllowlist> listen_allowlist(const std::string& listen,
                                                         const std::string& allowed_addrs);

}  // namespace server
