#include "tests/support/redis_server.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

namespace test_support {

RedisServer::RedisServer() : socket_((dir_.path() / "redis.sock").string()) {
  // As in the pool's processes: a write to a Redis that was killed must fail
  // with EPIPE, not end the process.
  ::signal(SIGPIPE, SIG_IGN);
  start();
}

RedisServer::~RedisServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGCONT);
    kill();
  }
}

void RedisServer::start() {
  const std::string dir = dir_.path().string();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", socket_.c_str(),
             "--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--dir", dir.c_str(),
             "--logfile", (dir + "/redis.log").c_str(), "--maxmemory", "64mb", "--maxmemory-policy",
             "allkeys-lru", static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  REQUIRE(pid_ > 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cli("PING") == "PONG") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("redis-server did not answer on " << socket_);
}

void RedisServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
  ::unlink(socket_.c_str());
}

void RedisServer::pause() { ::kill(pid_, SIGSTOP); }
void RedisServer::resume() { ::kill(pid_, SIGCONT); }

std::string RedisServer::cli(const std::string& args) const {
  const std::string command = "redis-cli -s '" + socket_ + "' " + args + " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return {};
  std::string out;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0) out.append(buf.data(), n);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace test_support
