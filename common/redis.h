// One Redis connection (hiredis), with a deadline on every call.
//
// A Redis is addressed by a URL:
//   redis://[:password@]host:port[/db]   TCP (port defaults to 6379, db to 0)
//   unix:///path/to/redis.sock[?db=N]    a unix socket
// `parse_redis_url` rejects anything else with a message naming what is wrong.
//
// A RedisConnection is owned by one process and one thread: create it after
// fork(), never before (a child must not share the parent's socket). Every
// command waits at most the timeout given at construction, for connect and
// for each reply; a failed call leaves the connection closed, and the next call
// connects again. Nothing here retries or sleeps: the caller decides (cache.h
// backs off after a failure). The process must ignore SIGPIPE, as the pool's
// processes do: hiredis writes without MSG_NOSIGNAL, so a write to a Redis
// that went away would otherwise end the process instead of failing the call.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace common::redis {

struct Address {
  std::string host;       // TCP host, empty for a unix socket
  int port = 6379;        // TCP port
  std::string unix_path;  // the socket path, empty for TCP
  std::string password;   // AUTH after connecting when not empty
  int db = 0;             // SELECT after connecting when not 0
};

// nullopt and `error` set when `url` is not one of the forms above.
std::optional<Address> parse_redis_url(std::string_view url, std::string& error);

// A reply, freed with the object. Its type and payload are hiredis's.
class Reply {
 public:
  explicit Reply(redisReply* r) : reply_(r) {}
  const redisReply* operator->() const { return reply_.get(); }
  const redisReply& get() const { return *reply_; }
  bool is_nil() const { return reply_->type == REDIS_REPLY_NIL; }
  bool is_error() const { return reply_->type == REDIS_REPLY_ERROR; }
  // The string of a STRING/STATUS/ERROR reply (empty otherwise).
  std::string_view str() const;

 private:
  struct Free {
    void operator()(redisReply* r) const { freeReplyObject(r); }
  };
  std::unique_ptr<redisReply, Free> reply_;
};

class RedisConnection {
 public:
  RedisConnection(Address address, std::chrono::milliseconds timeout);
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command (arguments passed as binary-safe strings) and returns its
  // reply, an error reply included. nullopt when Redis could not be reached or
  // did not answer in time; `last_error()` says why, and the connection is
  // closed so that the next call starts afresh.
  [[nodiscard]] std::optional<Reply> command(const std::vector<std::string_view>& args);

  bool connected() const { return ctx_ != nullptr; }
  const std::string& last_error() const { return last_error_; }
  // Closes the connection (the next command reconnects).
  void close() { ctx_.reset(); }

 private:
  bool connect();
  // redisCommandArgv over `args`; the raw reply (nullptr on an I/O error or timeout).
  redisReply* send(const std::vector<std::string_view>& args);

  struct Free {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  Address address_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<redisContext, Free> ctx_;
  std::string last_error_;
};

}  // namespace common::redis
