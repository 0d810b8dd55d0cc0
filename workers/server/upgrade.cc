#include "workers/server/upgrade.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace server {

namespace {

constexpr const char* kListen = "ECOMMERCE_LISTEN_FD";
constexpr const char* kStatus = "ECOMMERCE_STATUS_FD";
constexpr const char* kControl = "ECOMMERCE_CONTROL_FD";
constexpr const char* kFrom = "ECOMMERCE_UPGRADE_FROM";
constexpr const char* kRuntime = "ECOMMERCE_RUNTIME_WORKERS";

int take_int(const char* name) {
  const char* v = std::getenv(name);
  int value = -1;
  if (v != nullptr && *v != '\0') {
    char* end = nullptr;
    const long parsed = std::strtol(v, &end, 10);
    if (*end == '\0' && parsed >= 0 && parsed <= INT_MAX) value = static_cast<int>(parsed);
  }
  ::unsetenv(name);
  return value;
}

bool is_listening_socket(int fd) {
  int accepting = 0;
  socklen_t len = sizeof accepting;
  return fd >= 0 && ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) == 0 &&
         accepting != 0;
}

int take_socket(const char* name) {
  const int fd = take_int(name);
  if (!is_listening_socket(fd)) return -1;
  // Not passed on to anything this master execs.
  if (::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) return -1;
  return fd;
}

// Whether `fd` stays open across exec. A socket that would not is not passed:
// the successor then opens its own.
bool keep_open(int fd) {
  if (fd < 0) return false;
  const int flags = ::fcntl(fd, F_GETFD);
  return flags >= 0 && ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) == 0;
}

}  // namespace

Inherited take_inherited() {
  Inherited in;
  in.listen_fd = take_socket(kListen);
  in.status_fd = take_socket(kStatus);
  in.control_fd = take_socket(kControl);
  const int from = take_int(kFrom);
  in.old_master = from > 0 ? from : 0;
  in.runtime_workers = std::max(0, take_int(kRuntime));
  return in;
}

SelfExe read_self_exe() {
  SelfExe self;
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n > 0) self.path.assign(path, static_cast<size_t>(n));
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t start = 0;
  while (start < all.size()) {
    const size_t end = all.find('\0', start);
    self.args.push_back(all.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (self.args.empty()) self.args.push_back(self.path);
  return self;
}

pid_t start_successor(const SelfExe& exe, int listen_fd, int status_fd, int control_fd,
                      int runtime_workers) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  if (keep_open(listen_fd)) ::setenv(kListen, std::to_string(listen_fd).c_str(), 1);
  if (keep_open(status_fd)) ::setenv(kStatus, std::to_string(status_fd).c_str(), 1);
  if (keep_open(control_fd)) ::setenv(kControl, std::to_string(control_fd).c_str(), 1);
  ::setenv(kFrom, std::to_string(::getppid()).c_str(), 1);
  if (runtime_workers > 0) ::setenv(kRuntime, std::to_string(runtime_workers).c_str(), 1);
  std::vector<char*> argv;
  for (const std::string& a : exe.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(exe.path.c_str(), argv.data());
  const std::string message =
      "upgrade: exec " + exe.path + " failed: " + std::strerror(errno) + "\n";
  ssize_t ignored = ::write(STDERR_FILENO, message.data(), message.size());
  (void)ignored;
  ::_exit(127);
}

}  // namespace server
