#include "common/redis.h"

#include <sys/time.h>

#include <charconv>

namespace common::redis {

namespace {

bool parse_int(std::string_view s, int min, int max, int& out) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < min || v > max) {
    return false;
  }
  out = v;
  return true;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::optional<Address> parse_unix(std::string_view rest, std::string& error) {
  Address a;
  const size_t q = rest.find('?');
  a.unix_path = std::string(rest.substr(0, q));
  if (a.unix_path.empty() || a.unix_path.front() != '/') {
    error = "unix:// needs an absolute socket path (unix:///path/redis.sock)";
    return std::nullopt;
  }
  if (q != std::string_view::npos) {
    const std::string_view query = rest.substr(q + 1);
    if (!query.starts_with("db=") || !parse_int(query.substr(3), 0, 1000, a.db)) {
      error = "the only query a unix:// URL takes is db=N";
      return std::nullopt;
    }
  }
  return a;
}

std::optional<Address> parse_tcp(std::string_view rest, std::string& error) {
  Address a;
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    if (const size_t colon = auth.find(':'); colon != std::string_view::npos) {
      auth = auth.substr(colon + 1);  // user:password -> password (Redis 6 ACL users not used)
    }
    a.password = std::string(auth);
    rest = rest.substr(at + 1);
  }
  std::string_view hostport = rest.substr(0, rest.find('/'));
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !parse_int(db, 0, 1000, a.db)) {
      error = "the database after '/' must be a number";
      return std::nullopt;
    }
  }
  std::string_view port;
  if (hostport.starts_with('[')) {  // [::1]:6379
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      error = "unclosed '[' in the host";
      return std::nullopt;
    }
    a.host = std::string(hostport.substr(1, close - 1));
    if (close + 1 < hostport.size()) {
      if (hostport[close + 1] != ':') {
        error = "expected ':' after ']'";
        return std::nullopt;
      }
      port = hostport.substr(close + 2);
    }
  } else {
    const size_t colon = hostport.rfind(':');
    a.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port = hostport.substr(colon + 1);
  }
  if (a.host.empty()) {
    error = "no host";
    return std::nullopt;
  }
  if (!port.empty() && !parse_int(port, 1, 65535, a.port)) {
    error = "the port must be a number between 1 and 65535";
    return std::nullopt;
  }
  return a;
}

}  // namespace

std::optional<Address> parse_redis_url(std::string_view url, std::string& error) {
  if (url.starts_with("unix://")) return parse_unix(url.substr(7), error);
  if (url.starts_with("redis://")) return parse_tcp(url.substr(8), error);
  error = "must start with redis:// or unix://";
  return std::nullopt;
}

std::string_view Reply::str() const {
  switch (reply_->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      return {reply_->str, reply_->len};
    default:
      return {};
  }
}

redisReply* RedisConnection::send(const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return static_cast<redisReply*>(
      redisCommandArgv(ctx_.get(), static_cast<int>(argv.size()), argv.data(), lens.data()));
}

RedisConnection::RedisConnection(Address address, std::chrono::milliseconds timeout)
    : address_(std::move(address)), timeout_(timeout) {}

bool RedisConnection::connect() {
  const timeval tv = to_timeval(timeout_);
  redisContext* raw = address_.unix_path.empty()
                          ? redisConnectWithTimeout(address_.host.c_str(), address_.port, tv)
                          : redisConnectUnixWithTimeout(address_.unix_path.c_str(), tv);
  if (raw == nullptr) {
    last_error_ = "cannot allocate a Redis context";
    return false;
  }
  ctx_.reset(raw);
  if (ctx_->err != 0 || redisSetTimeout(ctx_.get(), tv) != REDIS_OK) {
    last_error_ = ctx_->errstr;
    ctx_.reset();
    return false;
  }
  auto setup = [&](std::vector<std::string_view> args) {
    redisReply* r = send(args);
    if (r == nullptr) {
      last_error_ = ctx_->errstr;
      return false;
    }
    Reply reply(r);
    if (reply.is_error()) {
      last_error_ = std::string(reply.str());
      return false;
    }
    return true;
  };
  const std::string db = std::to_string(address_.db);
  if ((!address_.password.empty() && !setup({"AUTH", address_.password})) ||
      (address_.db != 0 && !setup({"SELECT", db}))) {
    ctx_.reset();
    return false;
  }
  return true;
}

std::optional<Reply> RedisConnection::command(const std::vector<std::string_view>& args) {
  if (!ctx_ && !connect()) return std::nullopt;
  redisReply* r = send(args);
  if (r == nullptr) {
    // A timeout or a broken connection: hiredis cannot use this context again.
    last_error_ = ctx_->errstr;
    ctx_.reset();
    return std::nullopt;
  }
  return Reply(r);
}

}  // namespace common::redis
