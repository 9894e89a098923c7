// How the engine asks for a virus scan. The engine stays free of I/O: front ends pass a
// scanner (clamd for aupctl and the daemon), or none when scanning is off.
#pragma once

#include <string>
#include <string_view>

namespace aup {

// What one scan found. An error is no verdict: the rules decide (tempfail by default).
struct ScanResult {
  enum class Status { clean, infected, error };
  Status status = Status::error;
  std::string signature;  // infected: the scanner's name for what it found
  std::string error;      // error: why there is no verdict, naming the scanner's address
};

class VirusScanner {
 public:
  virtual ~VirusScanner() = default;
  virtual ScanResult scan(std::string_view message) const noexcept = 0;
};

}  // namespace aup
