// How an idle worker waits for a connection on the shared listening socket.
//
// poll() on a socket that every worker polls wakes every idle worker for each
// new connection, and all but one then find nothing to accept (EAGAIN): with
// fast answers (cache hits) the profile showed about four wake-ups and failed
// accepts per request. An epoll set with EPOLLEXCLUSIVE wakes one waiter per
// connection instead. Where that cannot be set up, ppoll() as before. One
// limit: a waiter woken for a connection just as a signal ends its wait
// leaves that connection to the next wake-up (a new connection, or another
// idle worker's timeout: at most a second).
//
// The wait lets the signals of `wait_mask` in (the worker keeps them blocked
// otherwise), so a stop or reopen request ends it at once.
#pragma once

#include <signal.h>

#include <chrono>

#include "common/unique_fd.h"

namespace server {

class ListenWait {
 public:
  explicit ListenWait(int listen_fd);

  enum class Result { kReady, kTimeout };  // kTimeout also when a signal ended the wait
  Result wait(std::chrono::milliseconds timeout, const sigset_t& wait_mask);

  bool exclusive() const { return epoll_.get() >= 0; }

 private:
  int listen_fd_;
  common::UniqueFd epoll_;  // -1: ppoll() on listen_fd_
};

}  // namespace server
