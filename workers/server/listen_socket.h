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

// Opens "unix:/path" (creating the parent directory, replacing a stale socket
// file, the file's mode `unix_mode`) or "host:port" (SO_REUSEADDR),
// non-blocking, listening with `backlog`, inherited across fork() and exec
// (no FD_CLOEXEC). Throws std::runtime_error with the reason on failure.
[[nodiscard]] ListenSocket open_listen_socket(const std::string& spec, int backlog,
                                              mode_t unix_mode = 0666);

// The kernel's net.core.somaxconn, or -1 when it cannot be read.
int read_somaxconn();

}  // namespace server
