// A minimal clamd client (policy clause 4.8.1): stream bytes with zINSTREAM, read the verdict.
// POSIX sockets only; every wait is bounded by one overall deadline; never throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aup::scan {

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

struct ScanResult {
  enum class Status { clean, infected, error };
  Status status = Status::error;
  std::string signature;  // infected: clamd's name for what it found
  std::string error;      // error: why there is no verdict, naming the address
};

// Streams `bytes` to clamd and waits for its reply, all within `timeout`.
ScanResult scan_with_clamd(const ClamdAddress& address, std::string_view bytes,
                           std::chrono::milliseconds timeout) noexcept;

// Maps one clamd INSTREAM reply (without its NUL) to a result; exposed for tests.
ScanResult interpret_clamd_reply(const ClamdAddress& address, std::string_view reply);

}  // namespace aup::scan
