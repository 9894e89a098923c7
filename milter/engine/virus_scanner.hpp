// How the engine asks for a virus scan. The engine stays free of I/O: front ends pass a
// scanner (clamd for aupctl and the daemon), or none when scanning is off.
#pragma once

#include <string_view>

#include "scan/clamd_client.hpp"

namespace aup {

class VirusScanner {
 public:
  virtual ~VirusScanner() = default;
  virtual scan::ScanResult scan(std::string_view message) const noexcept = 0;
};

}  // namespace aup
