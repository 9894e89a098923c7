// The engine's VirusScanner backed by clamd's INSTREAM command.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "engine/virus_scanner.hpp"
#include "scan/clamd_client.hpp"
#include "scan/clamd_settings.hpp"

namespace aup::scan {

class ClamdScanner final : public VirusScanner {
 public:
  ClamdScanner(ClamdAddress address, std::chrono::milliseconds timeout)
      : address_(std::move(address)), timeout_(timeout) {}
  ScanResult scan(std::string_view message) const noexcept override {
    return scan_with_clamd(address_, message, timeout_);
  }

 private:
  ClamdAddress address_;
  std::chrono::milliseconds timeout_;
};

// The scanner the configuration asks for, or `override_address` (a --clamd option), which
// also turns scanning on; null when scanning is off.
inline std::unique_ptr<VirusScanner> scanner_for(
    const ClamdSettings& settings, const std::optional<std::string>& override_address) {
  if (!settings.enabled && !override_address) return nullptr;
  auto address = parse_clamd_address(override_address.value_or(settings.address));
  if (!address) return nullptr;  // the loader and option checks refuse bad addresses earlier
  return std::make_unique<ClamdScanner>(std::move(*address), settings.timeout);
}

}  // namespace aup::scan
