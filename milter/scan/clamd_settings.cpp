// The clamd section, validated key by key.
#include "scan/clamd_settings.hpp"

#include <fmt/format.h>

#include "engine/config_reader.hpp"
#include "scan/clamd_address.hpp"

namespace aup {

ClamdSettings read_clamd_settings(const SourceFile& config, DiagnosticSink& sink) {
  ClamdSettings clamd;
  ConfigReader in(config, sink);
  if (!in.object_at("/clamd", {"enabled", "address", "timeout_ms"})) return clamd;
  in.boolean("/clamd/enabled", clamd.enabled);
  clamd.address = in.text("/clamd/address", clamd.address);
  if (!parse_clamd_address(clamd.address)) {
    in.error("/clamd/address",
             fmt::format("\"{}\" is not unix:/path or inet:PORT@HOST", clamd.address));
  }
  auto timeout = static_cast<uint32_t>(clamd.timeout.count());
  in.number<uint32_t>("/clamd/timeout_ms", timeout, 1);
  clamd.timeout = std::chrono::milliseconds(timeout);
  return clamd;
}

}  // namespace aup
