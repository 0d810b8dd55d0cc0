// The service manager's readiness protocol (systemd's sd_notify(3), for
// Type=notify units), without libsystemd: one datagram per message to the
// unix socket named by $NOTIFY_SOCKET, an abstract one when the name starts
// with '@'. Each message is newline-separated VARIABLE=value lines:
//
//   READY=1 + MAINPID=<pid>   the pool's first workers are ready (a successor
//                             after SIGUSR2 sends it when it takes over)
//   RELOADING=1 + MONOTONIC_USEC=<CLOCK_MONOTONIC in us>   a reload begins;
//                             READY=1 follows when it is done
//   STOPPING=1                a stop begins
//   STATUS=<text>             a line for `systemctl status`
//
// With $NOTIFY_SOCKET unset, nothing is sent and every call succeeds.
#pragma once

#include <string>
#include <string_view>

namespace server {

class Notifier {
 public:
  // `socket`: the value of $NOTIFY_SOCKET ("/run/...", or "@name" for an
  // abstract socket); empty for none.
  explicit Notifier(std::string socket) : socket_(std::move(socket)) {}
  // From $NOTIFY_SOCKET (left in the environment: a successor started by
  // SIGUSR2 needs it too).
  static Notifier from_environment();

  bool enabled() const { return !socket_.empty(); }

  // Sends one message. False (errno set) when the socket cannot be reached;
  // the caller decides whether that is worth a log line.
  [[nodiscard]] bool send(std::string_view message) const;

  // The messages above; each returns what send() returned.
  [[nodiscard]] bool ready(int main_pid, std::string_view status) const;
  [[nodiscard]] bool reloading(std::string_view status) const;
  [[nodiscard]] bool stopping(std::string_view status) const;

 private:
  std::string socket_;
};

}  // namespace server
