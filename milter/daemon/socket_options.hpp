// Socket settings libmilter does not make: it keeps its listening socket to itself.
#pragma once

namespace aup::daemon {

// Sets TCP_NODELAY on the process's listening TCP sockets, which accepted connections inherit
// (Linux). A verdict with header or body changes is several small replies in a row; with
// Nagle's algorithm each after the first waits for the MTA's delayed ACK, some 40 ms per
// message. Returns how many sockets were changed.
int disable_nagle_on_listening_sockets() noexcept;

}  // namespace aup::daemon
