// Where clamd listens, as the clamd.address setting and aupctl's --clamd write it. Only the
// syntax lives here, so the settings reader can check it without a connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aup {

struct ClamdAddress {
  enum class Kind { unix_socket, inet };
  Kind kind = Kind::unix_socket;
  std::string path;   // unix_socket: the socket's file name
  std::string host;   // inet: an IPv4/IPv6 literal or "localhost"
  uint16_t port = 0;  // inet
  std::string text;   // as configured, for messages
};

// "unix:/run/clamav/clamd.ctl" or "inet:3310@127.0.0.1" ("inet:3310@::1", "inet:3310@[::1]",
// "inet:3310@localhost"); nullopt for anything else.
std::optional<ClamdAddress> parse_clamd_address(std::string_view text);

}  // namespace aup
