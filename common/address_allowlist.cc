#include "common/address_allowlist.h"

#include <arpa/inet.h>

#include <cstring>

namespace common {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<AddressAllowlist> AddressAllowlist::parse(std::string_view text, std::string& error) {
  AddressAllowlist list;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const size_t end = comma == std::string_view::npos ? text.size() : comma;
    const std::string entry(trim(text.substr(start, end - start)));
    if (entry.empty()) {
      error = "FCGI_ALLOWED_ADDRS has an empty entry: '" + std::string(text) + "'";
      return std::nullopt;
    }
    in_addr v4{};
    in6_addr v6{};
    if (::inet_pton(AF_INET, entry.c_str(), &v4) == 1) {
      list.v4_.push_back(v4);
    } else if (::inet_pton(AF_INET6, entry.c_str(), &v6) == 1) {
      list.v6_.push_back(v6);
    } else {
      error = "FCGI_ALLOWED_ADDRS: '" + entry + "' is not an IPv4 or IPv6 address";
      return std::nullopt;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return list;
}

bool AddressAllowlist::allows(const sockaddr* peer, socklen_t len) const {
  if (peer == nullptr) return false;
  if (peer->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const in_addr& a = reinterpret_cast<const sockaddr_in*>(peer)->sin_addr;
    for (const in_addr& e : v4_) {
      if (e.s_addr == a.s_addr) return true;
    }
    return false;
  }
  if (peer->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(peer)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a)) {
      in_addr v4{};
      std::memcpy(&v4, a.s6_addr + 12, sizeof v4);
      for (const in_addr& e : v4_) {
        if (e.s_addr == v4.s_addr) return true;
      }
      return false;
    }
    for (const in6_addr& e : v6_) {
      if (std::memcmp(&e, &a, sizeof a) == 0) return true;
    }
  }
  return false;
}

std::string AddressAllowlist::peer_text(const sockaddr* peer, socklen_t len) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (peer != nullptr && peer->sa_family == AF_INET &&
      len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(peer)->sin_addr, buf, sizeof buf);
    return buf;
  }
  if (peer != nullptr && peer->sa_family == AF_INET6 &&
      len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(peer)->sin6_addr, buf, sizeof buf);
    return buf;
  }
  return "unknown";
}

}  // namespace common
