// Virus scanning through clamd (clause 4.8.1): the "clamd" section, off unless configured.
#pragma once

#include <chrono>
#include <string>

#include "engine/diagnostics.hpp"

namespace aup {

struct ClamdSettings {
  bool enabled = false;
  std::string address = "unix:/run/clamav/clamd.ctl";
  std::chrono::milliseconds timeout{30000};
};

ClamdSettings read_clamd_settings(const SourceFile& config, DiagnosticSink& sink);

}  // namespace aup
