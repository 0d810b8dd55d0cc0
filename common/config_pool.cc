// The pool settings' defaults that depend on other settings, and their
// cross-checks (finish_pool_settings in common/config.h).
#include <unistd.h>

#include <algorithm>

#include "common/address_allowlist.h"
#include "common/config.h"

namespace common {

std::vector<std::string> finish_pool_settings(Config& c) {
  std::vector<std::string> problems;
  const bool dynamic = c.pool_mode == PoolMode::kDynamic;
  const long cores = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  if (c.max_workers == 0) c.max_workers = std::max(c.workers, static_cast<int>(4 * cores));
  if (c.min_workers == 0) c.min_workers = dynamic ? std::min(2, c.max_workers) : 1;
  if (c.max_requests_jitter < 0) c.max_requests_jitter = c.max_requests / 10;
  if (c.status_listen.empty()) c.status_listen = "unix:" + c.state_dir + "/run/status.sock";
  if (c.control_socket.empty()) c.control_socket = c.state_dir + "/run/ctl.sock";
  if (c.pid_file.empty()) c.pid_file = c.state_dir + "/run/server.pid";

  const auto n = [](int v) { return std::to_string(v); };
  if (c.min_workers > c.max_workers) {
    problems.push_back("MIN_WORKERS (" + n(c.min_workers) + ") must not exceed MAX_WORKERS (" +
                       n(c.max_workers) + ")");
  }
  if (!dynamic && (c.workers < c.min_workers || c.workers > c.max_workers)) {
    problems.push_back("WORKERS (" + n(c.workers) + ") must be between MIN_WORKERS (" +
                       n(c.min_workers) + ") and MAX_WORKERS (" + n(c.max_workers) + ")");
  }
  if (c.min_spare > c.max_spare) {
    problems.push_back("MIN_SPARE (" + n(c.min_spare) + ") must not exceed MAX_SPARE (" +
                       n(c.max_spare) + ")");
  }
  if (!c.status_listen.starts_with("unix:") && c.status_listen.find(':') == std::string::npos) {
    problems.push_back("STATUS_LISTEN must be unix:PATH or HOST:PORT, got '" + c.status_listen +
                       "'");
  }
  if (c.status_listen == c.listen) problems.push_back("STATUS_LISTEN must differ from LISTEN");
  if (is_tcp_listen(c.listen) || is_tcp_listen(c.status_listen)) {
    if (c.fcgi_allowed_addrs.empty()) c.fcgi_allowed_addrs = kLoopbackOnly;
    std::string error;
    if (!AddressAllowlist::parse(c.fcgi_allowed_addrs, error)) problems.push_back(error);
  }
  return problems;
}

}  // namespace common
