// Which peers may open a FastCGI connection over TCP (FCGI_ALLOWED_ADDRS, in
// the spirit of PHP-FPM's listen.allowed_clients): a list of exact IP
// addresses, IPv4 or IPv6. Unix sockets are guarded by their file mode and
// never consult it.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace common {

// FCGI_ALLOWED_ADDRS when it is unset: loopback only.
inline constexpr const char* kLoopbackOnly = "127.0.0.1,::1";

class AddressAllowlist {
 public:
  // Parses a comma-separated list ("10.0.0.5, 10.0.0.6,::1"); spaces around
  // entries are ignored. Every entry must be a numeric IPv4 or IPv6 address
  // (no names, no ranges, no port). On failure returns std::nullopt and puts
  // the reason, naming the bad entry, in `error`.
  static std::optional<AddressAllowlist> parse(std::string_view text, std::string& error);

  // Whether a peer address from accept(2) is on the list. An IPv4-mapped IPv6
  // peer (::ffff:a.b.c.d, from a dual-stack socket) matches its IPv4 entry.
  // Any other family (AF_UNIX, ...) is refused.
  bool allows(const sockaddr* peer, socklen_t len) const;

  // The peer as text ("10.0.0.5", "::1"), for logs; "unknown" when it is not IP.
  static std::string peer_text(const sockaddr* peer, socklen_t len);

  size_t size() const { return v4_.size() + v6_.size(); }

 private:
  std::vector<in_addr> v4_;
  std::vector<in6_addr> v6_;
};

// True when a LISTEN value names a TCP socket (anything but "unix:PATH").
inline bool is_tcp_listen(std::string_view listen) { return !listen.starts_with("unix:"); }

}  // namespace common
