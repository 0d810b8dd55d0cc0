#include "workers/server/listen_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace server {

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

// Makes the socket's directory, and any missing parent, 0750 (whatever the
// umask): only the service user and its group can reach what is inside. A
// directory that exists keeps the mode its owner gave it.
void ensure_socket_dir(const std::filesystem::path& dir) {
  if (dir.empty() || std::filesystem::is_directory(dir)) return;
  ensure_socket_dir(dir.parent_path());
  if (::mkdir(dir.c_str(), kSocketDirMode) != 0) {
    if (errno == EEXIST) return;  // made by someone else meanwhile: theirs to set
    fail("mkdir " + dir.string());
  }
  // mkdir's mode went through the umask.
  if (::chmod(dir.c_str(), kSocketDirMode) != 0) fail("chmod " + dir.string());
}

UniqueFd open_unix(const std::string& path, mode_t mode) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    throw std::runtime_error("unix socket path too long (max " +
                             std::to_string(sizeof(addr.sun_path) - 1) + "): " + path);
  }
  ensure_socket_dir(std::filesystem::path(path).parent_path());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) fail("socket");
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  // A socket file left by a crashed master would make bind fail; a live one
  // would still answer connect(), so only a dead one is replaced.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
    UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (::connect(probe.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      throw std::runtime_error("another server is listening on " + path);
    }
    ::unlink(path.c_str());
  }
  // bind() creates the file with the umask's mode: under this umask it has
  // exactly `mode` from the first instant, with no chmod window to race.
  const mode_t old_umask = ::umask(~mode & 0777);
  const int bound = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  const int bind_errno = errno;
  ::umask(old_umask);
  errno = bind_errno;
  if (bound < 0) fail("bind " + path);
  return fd;
}

UniqueFd open_tcp(const std::string& spec) {
  const size_t colon = spec.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("LISTEN must be unix:PATH or HOST:PORT");
  std::string host = spec.substr(0, colon);
  const std::string port = spec.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res);
      rc != 0) {
    throw std::runtime_error("LISTEN " + spec + ": " + ::gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, &::freeaddrinfo);
  UniqueFd fd(::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) fail("socket");
  const int one = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
    fail("setsockopt SO_REUSEADDR");
  }
  if (::bind(fd.get(), res->ai_addr, res->ai_addrlen) < 0) fail("bind " + spec);
  return fd;
}

}  // namespace

ListenSocket open_listen_socket(const std::string& spec, int backlog, mode_t unix_mode) {
  ListenSocket s;
  if (spec.starts_with("unix:")) {
    s.unix_path = spec.substr(5);
    s.fd = open_unix(s.unix_path, unix_mode);
  } else {
    s.fd = open_tcp(spec);
  }
  if (::listen(s.fd.get(), backlog) < 0) fail("listen");
  // Workers poll() and then accept; non-blocking so that the workers that lose
  // the race for a connection get EAGAIN instead of sleeping in accept().
  const int flags = ::fcntl(s.fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(s.fd.get(), F_SETFL, flags | O_NONBLOCK) < 0) fail("fcntl");
  // Workers inherit it across fork() on purpose.
  const int fdflags = ::fcntl(s.fd.get(), F_GETFD);
  if (fdflags < 0 || ::fcntl(s.fd.get(), F_SETFD, fdflags & ~FD_CLOEXEC) < 0) fail("fcntl");
  return s;
}

int read_somaxconn() {
  std::ifstream in("/proc/sys/net/core/somaxconn");
  int value = -1;
  if (!(in >> value)) return -1;
  return value;
}

}  // namespace server
