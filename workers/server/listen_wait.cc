#include "workers/server/listen_wait.h"

#include <poll.h>
#include <sys/epoll.h>

namespace server {

ListenWait::ListenWait(int listen_fd) : listen_fd_(listen_fd) {
  common::UniqueFd ep(::epoll_create1(EPOLL_CLOEXEC));
  if (ep.get() < 0) return;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.fd = listen_fd;
  if (::epoll_ctl(ep.get(), EPOLL_CTL_ADD, listen_fd, &ev) == 0) epoll_ = std::move(ep);
}

ListenWait::Result ListenWait::wait(std::chrono::milliseconds timeout, const sigset_t& wait_mask) {
  if (exclusive()) {
    epoll_event ev{};
    const int n =
        ::epoll_pwait(epoll_.get(), &ev, 1, static_cast<int>(timeout.count()), &wait_mask);
    return n > 0 ? Result::kReady : Result::kTimeout;
  }
  pollfd p{listen_fd_, POLLIN, 0};
  const timespec ts{static_cast<time_t>(timeout.count() / 1000),
                    static_cast<long>(timeout.count() % 1000) * 1000000L};
  return ::ppoll(&p, 1, &ts, &wait_mask) > 0 ? Result::kReady : Result::kTimeout;
}

}  // namespace server
