// A minimal clamd client (policy clause 4.8.1): stream bytes with zINSTREAM, read the verdict.
// POSIX sockets only; every wait is bounded by one overall deadline; never throws.
#pragma once

#include <chrono>
#include <string_view>

#include "engine/virus_scanner.hpp"
#include "scan/clamd_address.hpp"

namespace aup::scan {

// Streams `bytes` to clamd and waits for its reply, all within `timeout`.
ScanResult scan_with_clamd(const ClamdAddress& address, std::string_view bytes,
                           std::chrono::milliseconds timeout) noexcept;

// Maps one clamd INSTREAM reply (without its NUL) to a result; exposed for tests.
ScanResult interpret_clamd_reply(const ClamdAddress& address, std::string_view reply);

}  // namespace aup::scan
