// Policy and the daemon's sections from one reading of the configuration file.
#include "daemon/daemon_config.hpp"

#include "engine/policy_loader.hpp"

namespace aup::daemon {

DaemonConfigLoad load_daemon_config(const std::string& path) {
  LoadResult loaded = load_policy(path);
  auto config = std::make_shared<DaemonConfig>();
  config->daemon = read_front_end(loaded, read_daemon_settings);
  config->clamd = read_front_end(loaded, read_clamd_settings);
  config->quarantine = read_front_end(loaded, read_quarantine_settings);
  config->policy = loaded.policy;
  DaemonConfigLoad result{nullptr, std::move(loaded.diagnostics)};
  if (config->policy) result.config = std::move(config);
  return result;
}

}  // namespace aup::daemon
