#include "workers/server/ops_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "common/http.h"
#include "common/log.h"
#include "workers/server/cgi_response.h"
#include "workers/server/fcgi_codec.h"

namespace server {

namespace {

constexpr auto kConnDeadline = std::chrono::seconds(2);
constexpr size_t kMaxConns = 64;
constexpr size_t kMaxControlLine = 4096;

}  // namespace

struct OpsServer::Conn {
  UniqueFd fd;
  bool control = false;
  fcgi::RequestParser parser;
  std::string line;
  std::string out;
  size_t written = 0;
  bool done = false;  // answered (or failed): close once `out` is written
  std::chrono::steady_clock::time_point deadline;
};

OpsServer::OpsServer(UniqueFd status_listener, UniqueFd control_listener, HttpHandler http,
                     ControlHandler control,
                     std::optional<common::AddressAllowlist> status_allowlist)
    : status_(std::move(status_listener)),
      control_(std::move(control_listener)),
      http_(std::move(http)),
      control_handler_(std::move(control)),
      status_allowlist_(std::move(status_allowlist)) {}

OpsServer::~OpsServer() = default;

void OpsServer::add_poll_fds(std::vector<pollfd>& fds) const {
  if (status_.get() >= 0) fds.push_back({status_.get(), POLLIN, 0});
  if (control_.get() >= 0) fds.push_back({control_.get(), POLLIN, 0});
  for (const auto& [fd, c] : conns_) {
    fds.push_back({fd, static_cast<short>(c->written < c->out.size() ? POLLOUT : POLLIN), 0});
  }
}

std::vector<int> OpsServer::fds() const {
  std::vector<int> out{status_.get(), control_.get()};
  for (const auto& [fd, c] : conns_) out.push_back(fd);
  return out;
}

void OpsServer::process(const std::vector<pollfd>& fds, size_t first) {
  for (size_t i = first; i < fds.size(); ++i) {
    const pollfd& p = fds[i];
    if (p.revents == 0) continue;
    if (p.fd == status_.get() || p.fd == control_.get()) {
      accept_all(p.fd, p.fd == control_.get());
      continue;
    }
    const auto it = conns_.find(p.fd);
    if (it == conns_.end()) continue;
    Conn& c = *it->second;
    if (p.revents & POLLOUT) {
      on_writable(c);
    } else if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      on_readable(c);
    }
  }
  const auto now = std::chrono::steady_clock::now();
  for (auto it = conns_.begin(); it != conns_.end();) {
    Conn& c = *it->second;
    const bool finished = c.done && c.written >= c.out.size();
    if (finished || now >= c.deadline) {
      it = conns_.erase(it);
    } else {
      ++it;
    }
  }
}

void OpsServer::accept_all(int listener, bool control) {
  for (int n = 0; n < 16; ++n) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    const int fd =
        ::accept4(listener, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN: nothing more waiting
    const auto* addr = reinterpret_cast<const sockaddr*>(&peer);
    if (!control && status_allowlist_ && !status_allowlist_->allows(addr, len)) {
      ::close(fd);
      common::log::warn("status connection refused: address not in FCGI_ALLOWED_ADDRS",
                        {{"peer", common::AddressAllowlist::peer_text(addr, len)}});
      continue;
    }
    if (conns_.size() >= kMaxConns) {
      ::close(fd);
      common::log::warn("operations socket: too many connections; closing one");
      continue;
    }
    auto c = std::make_unique<Conn>();
    c->fd = UniqueFd(fd);
    c->control = control;
    c->deadline = std::chrono::steady_clock::now() + kConnDeadline;
    conns_[fd] = std::move(c);
  }
}

void OpsServer::on_readable(Conn& c) {
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // EOF: a control client may end its line with EOF instead of '\n'.
      if (c.control && !c.done && !c.line.empty()) {
        c.out = control_handler_(c.line) + "\n";
        c.done = true;
        on_writable(c);
      }
      c.done = true;
      return;
    }
    if (c.done) continue;  // ignore anything after the request
    if (c.control) {
      c.line.append(buf, static_cast<size_t>(n));
      const size_t eol = c.line.find('\n');
      if (eol != std::string::npos || c.line.size() > kMaxControlLine) {
        c.out = control_handler_(c.line.substr(0, eol)) + "\n";
        c.done = true;
        on_writable(c);
      }
      continue;
    }
    const auto state = c.parser.feed(std::string_view(buf, static_cast<size_t>(n)));
    if (state == fcgi::RequestParser::State::kError) {
      common::log::warn("status socket: bad FastCGI request", {{"reason", c.parser.error()}});
      c.done = true;
      return;
    }
    if (state == fcgi::RequestParser::State::kComplete) respond_http(c);
  }
}

void OpsServer::on_writable(Conn& c) {
  while (c.written < c.out.size()) {
    const ssize_t n =
        ::send(c.fd.get(), c.out.data() + c.written, c.out.size() - c.written, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) {
      c.written = c.out.size();  // peer gone: nothing more to do
      c.done = true;
      return;
    }
    c.written += static_cast<size_t>(n);
  }
}

void OpsServer::respond_http(Conn& c) {
  const fcgi::RequestParser& p = c.parser;
  common::Request req;
  req.method = p.param("REQUEST_METHOD");
  req.path = p.param("DOCUMENT_URI");
  if (req.path.empty()) {
    const std::string uri = p.param("REQUEST_URI");
    req.path = common::url_decode(uri.substr(0, uri.find('?')), false);
  }
  req.query = p.param("QUERY_STRING");
  req.remote_addr = p.param("REMOTE_ADDR");
  req.request_id = p.param("REQUEST_ID");
  if (!common::is_sane_request_id(req.request_id)) req.request_id = common::generate_request_id();
  // nginx adds X-Request-Id itself (add_header ... always).
  c.out = fcgi::encode_response(p.request_id(), cgi_response(req.method, http_(req)));
  c.done = true;
  on_writable(c);
}

}  // namespace server
