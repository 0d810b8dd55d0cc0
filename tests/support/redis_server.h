// A real redis-server (Debian's package) for one test: unix socket in a temp
// directory, no TCP port, no persistence. Stopped (SIGKILL) with the object.
#pragma once

#include <sys/types.h>

#include <string>

#include "tests/support/temp_dir.h"

namespace test_support {

class RedisServer {
 public:
  // Starts it and waits until it answers PING; FAILs the test otherwise.
  RedisServer();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // unix:///.../redis.sock
  std::string url() const { return "unix://" + socket_; }
  // SIGKILL and reap: every client's next call fails.
  void kill();
  // Starts it again on the same socket (empty: no persistence).
  void start();
  // SIGSTOP / SIGCONT: Redis alive but not answering (clients time out).
  void pause();
  void resume();
  // A raw command through redis-cli, for assertions ("GET k" -> its output).
  std::string cli(const std::string& args) const;

 private:
  TempDir dir_{"redis"};
  std::string socket_;
  pid_t pid_ = -1;
};

}  // namespace test_support
