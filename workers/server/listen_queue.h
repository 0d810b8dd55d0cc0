// How many connections wait in a listening socket's accept queue: what
// /status and /metrics show as listen_queue, and what dynamic sizing reacts to.
#pragma once

namespace server {

// For a unix stream socket: sock_diag (UNIX_DIAG_RQLEN) over netlink. For TCP:
// getsockopt(TCP_INFO), whose tcpi_unacked is the accept queue of a listening
// socket. Returns -1 when it cannot be measured. One or two syscalls; the
// master calls it once per tick.
int listen_queue_length(int listen_fd);

}  // namespace server
