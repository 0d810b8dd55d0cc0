#include "workers/server/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "common/unique_fd.h"

namespace server {

Notifier Notifier::from_environment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  return Notifier(socket != nullptr ? socket : "");
}

bool Notifier::send(std::string_view message) const {
  if (socket_.empty()) return true;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_.size() >= sizeof addr.sun_path || (socket_[0] != '/' && socket_[0] != '@')) {
    errno = EINVAL;
    return false;
  }
  std::memcpy(addr.sun_path, socket_.data(), socket_.size());
  if (socket_[0] == '@') addr.sun_path[0] = '\0';  // abstract: no trailing NUL counts
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size());
  const common::UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return false;
  const ssize_t sent = ::sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&addr), length);
  return sent == static_cast<ssize_t>(message.size());
}

namespace {

std::string status_line(std::string_view status) {
  return status.empty() ? std::string() : "\nSTATUS=" + std::string(status);
}

long long monotonic_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

}  // namespace

bool Notifier::ready(int main_pid, std::string_view status) const {
  return send("READY=1\nMAINPID=" + std::to_string(main_pid) + status_line(status));
}

bool Notifier::reloading(std::string_view status) const {
  return send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec()) +
              status_line(status));
}

bool Notifier::stopping(std::string_view status) const {
  return send("STOPPING=1" + status_line(status));
}

}  // namespace server
