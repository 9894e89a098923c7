// Reload on SIGUSR1 through a sigwait thread (libmilter treats SIGHUP and SIGTERM as stop).
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "daemon/config_holder.hpp"
#include "daemon/quarantine_service.hpp"

namespace aup::daemon {

// Blocks SIGUSR1 (and libmilter's SIGHUP, SIGTERM, SIGINT) in the calling thread; call before
// any other thread starts, so every thread inherits the mask and only the threads that
// sigwait for them receive them.
void block_reload_signal();

// The thread that reloads `config_path` into `configs` on each SIGUSR1. A broken
// configuration is logged with file, line and offset, and the old policy stays. Destroying it
// stops and joins the thread, so it never outlives the configurations and quarantines it
// updates (declare it after them).
class ReloadThread {
 public:
  ReloadThread(ConfigHolder& configs, QuarantineService& quarantines, std::string config_path);
  ReloadThread(const ReloadThread&) = delete;
  ReloadThread& operator=(const ReloadThread&) = delete;
  ~ReloadThread();

 private:
  void run(ConfigHolder& configs, QuarantineService& quarantines, const std::string& path);

  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Loads and swaps in a new configuration; false (old one kept) when it has errors.
bool reload_config(ConfigHolder& configs, QuarantineService& quarantines,
                   const std::string& config_path);

}  // namespace aup::daemon
