// The configuration in force. A reload builds a new one completely, then swaps it in; each
// message pins the configuration it started with, so messages in flight finish on it.
#pragma once

#include <memory>
#include <mutex>

#include "daemon/daemon_config.hpp"

namespace aup::daemon {

class ConfigHolder {
 public:
  explicit ConfigHolder(std::shared_ptr<const DaemonConfig> config) : config_(std::move(config)) {}

  std::shared_ptr<const DaemonConfig> current() const {
    std::lock_guard lock(mutex_);
    return config_;
  }

  void replace(std::shared_ptr<const DaemonConfig> config) {
    std::lock_guard lock(mutex_);
    config_.swap(config);
  }  // the old configuration is freed here, outside the lock, once its last message is done

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const DaemonConfig> config_;
};

}  // namespace aup::daemon
