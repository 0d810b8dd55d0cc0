// The FastCGI listening socket, opened by the master before fork() (the one
// thing workers are meant to inherit) and never closed while the pool runs.
#pragma once

#include <string>

#include "common/unique_fd.h"

namespace server {

using common::UniqueFd;

struct ListenSocket {
  UniqueFd fd;
  std::string unix_path;  // empty for TCP; unlinked by the owner on shutdown
};

// Opens "unix:/path" (creating the parent directory, replacing a stale socket
// file, mode 0666) or "host:port" (SO_REUSEADDR), non-blocking, listening with
// `backlog`. Throws std::runtime_error with the reason on failure.
ListenSocket open_listen_socket(const std::string& spec, int backlog);

// The kernel's net.core.somaxconn, or -1 when it cannot be read.
int read_somaxconn();

}  // namespace server
