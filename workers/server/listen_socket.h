// The FastCGI listening socket, opened by the master before fork() (the one
// thing workers are meant to inherit) and never closed while the pool runs.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/unique_fd.h"

namespace server {

using common::UniqueFd;

struct ListenSocket {
  UniqueFd fd;
  std::string unix_path;  // empty for TCP; unlinked by the owner on shutdown
};

// Local sockets: the service user and its group (nginx's user joins it to
// reach the FastCGI and status sockets) and nobody else.
inline constexpr mode_t kSocketMode = 0660;
// A missing socket directory is made with this mode.
inline constexpr mode_t kSocketDirMode = 0750;

// Opens "unix:/path" or "host:port" (SO_REUSEADDR), non-blocking, listening
// with `backlog`, inherited across fork() and exec (no FD_CLOEXEC). A unix
// socket replaces a stale socket file and is created with mode `unix_mode`
// from the start (bound under a matching umask; the process's umask is put
// back); missing directories above it are made kSocketDirMode, existing ones
// are left as they are. Throws std::runtime_error with the reason on failure.
[[nodiscard]] ListenSocket open_listen_socket(const std::string& spec, int backlog,
                                              mode_t unix_mode = kSocketMode);

// The kernel's net.core.somaxconn, or -1 when it cannot be read.
int read_somaxconn();

}  // namespace server
