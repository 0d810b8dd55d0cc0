// A free loopback TCP port for a server a test starts.
#pragma once

namespace test_support {

// A port that 127.0.0.1 can bind right now, picked at random below the
// kernel's ephemeral range (ip_local_port_range): outgoing connections take
// their local ports from that range, so none can take this port between the
// check and the server's bind, nor while a test keeps a server stopped. FAILs
// the test when none is found.
int free_listen_port();

}  // namespace test_support
