// The HTTP server of `aupctl serve` with the bounds of limits.hpp enforced on each connection,
// before httplib parses anything: httplib itself (0.11) waits forever for a client that sends a
// byte a second, and stores any number of header lines.
#pragma once

#include <httplib.h>

#include <string>
#include <vector>

#include "web/limits.hpp"

namespace aup::web {

class GuardedServer : public httplib::Server {
 public:
  // Connections from `proxies` are not capped per address (a proxy carries everybody's).
  explicit GuardedServer(std::vector<std::string> proxies, ConnectionLimits limits = {});

 private:
  // One request per connection, read through a LimitedStream (guarded_server.cpp).
  bool process_and_close_socket(socket_t sock) override;

  std::vector<std::string> proxies_;
  ConnectionLimits limits_;
  AddressSlots slots_;
};

}  // namespace aup::web
