// What the daemon runs on: the engine's policy and the sections of the same configuration
// file that the daemon reads for itself (its own, the scanner's and the quarantine's).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "daemon/daemon_settings.hpp"
#include "engine/policy.hpp"
#include "quarantine/quarantine_settings.hpp"
#include "scan/clamd_settings.hpp"

namespace aup::daemon {

struct DaemonConfig {
  std::shared_ptr<const Policy> policy;  // never null
  DaemonSettings daemon;
  ClamdSettings clamd;
  QuarantineSettings quarantine;
};

struct DaemonConfigLoad {
  std::shared_ptr<const DaemonConfig> config;  // null when there was any error
  std::vector<Diagnostic> diagnostics;
};

DaemonConfigLoad load_daemon_config(const std::string& path);

}  // namespace aup::daemon
