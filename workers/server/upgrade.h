// SIGUSR2, the zero-downtime binary upgrade. The running master forks and
// execs the binary found on disk at its own path, with the same arguments,
// handing over its three listening sockets by descriptor number in the
// environment:
//   ECOMMERCE_LISTEN_FD, ECOMMERCE_STATUS_FD, ECOMMERCE_CONTROL_FD  the sockets
//   ECOMMERCE_UPGRADE_FROM                                          the old master's pid
//   ECOMMERCE_RUNTIME_WORKERS      a count set at runtime, so that it survives
// The new master uses those sockets instead of opening new ones (the listening
// socket is never closed), starts its workers, and once they are ready writes
// the pid file and sends SIGQUIT to the old master, which drains its own
// workers and exits without removing the sockets. If the new master dies
// before that, the old one logs it and keeps serving.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace server {

struct Inherited {
  int listen_fd = -1;
  int status_fd = -1;
  int control_fd = -1;
  pid_t old_master = 0;
  int runtime_workers = 0;  // 0: none was set
  bool present() const { return listen_fd >= 0; }
};

// Reads the variables above and removes them from the environment (so no
// child sees them). Descriptors that are not listening sockets are ignored.
Inherited take_inherited();

// The running binary's path and arguments, read at start: /proc/self/exe
// still names the path then, while after an upgrade build replaced the file
// it would name the deleted one.
struct SelfExe {
  std::string path;
  std::vector<std::string> args;
};
SelfExe read_self_exe();

// Forks and execs `exe`; in the child, clears FD_CLOEXEC on the three sockets
// and sets the variables. Returns the child's pid, or -1 when fork failed.
// A failed exec ends the child with status 127.
pid_t start_successor(const SelfExe& exe, int listen_fd, int status_fd, int control_fd,
                      int runtime_workers);

}  // namespace server
