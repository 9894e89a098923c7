#include "daemon/connection_limit.hpp"

#include <libmilter/mfapi.h>
#include <syslog.h>

#include <algorithm>

#include "daemon/log_line.hpp"

namespace aup::daemon {

bool ConnectionSlots::take(const void* key, unsigned limit) {
  const unsigned allowed = std::min(limit, capacity_.load());
  const std::lock_guard lock(mutex_);
  if (holders_.contains(key)) return true;
  if (holders_.size() >= allowed) {
    ++refused_;
    return false;
  }
  holders_.insert(key);
  return true;
}

void ConnectionSlots::release(const void* key) {
  const std::lock_guard lock(mutex_);
  holders_.erase(key);
}

unsigned ConnectionSlots::open() const {
  const std::lock_guard lock(mutex_);
  return static_cast<unsigned>(holders_.size());
}

ConnectionSlots& connection_slots() {
  // Never destroyed: libmilter's connection threads may still be in xxfi_close when main
  // returns and exit() runs static destructors.
  static auto* const slots = new ConnectionSlots;
  return *slots;
}

unsigned connection_capacity(rlim_t descriptor_limit) noexcept {
  if (descriptor_limit == RLIM_INFINITY) return ~0U;
  if (descriptor_limit <= kReservedDescriptors + 1) return 1;
  return static_cast<unsigned>(std::min<rlim_t>(descriptor_limit - kReservedDescriptors, ~0U));
}

namespace {

// The soft limit in force after raising it as far as allowed. Under the systemd unit soft and
// hard are both LimitNOFILE, and setrlimit is filtered (@resources), so nothing is changed.
rlim_t raise_descriptor_limit() {
  rlimit limits{};
  if (getrlimit(RLIMIT_NOFILE, &limits) != 0) return 1024;
  if (limits.rlim_cur < limits.rlim_max) {
    const rlim_t before = limits.rlim_cur;
    limits.rlim_cur = limits.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limits) != 0) return before;
  }
  return limits.rlim_cur;
}

}  // namespace

bool apply_connection_settings(const DaemonSettings& settings) {
  const rlim_t descriptors = raise_descriptor_limit();
  const unsigned capacity = connection_capacity(descriptors);
  connection_slots().set_capacity(capacity);
  if (settings.max_connections > capacity) {
    LogLine(LOG_WARNING, "daemon.max_connections does not fit the descriptors: fewer connections")
        .add("max_connections", settings.max_connections)
        .add("descriptors", static_cast<unsigned long long>(descriptors))
        .add("connections", capacity)
        .send();
  }
  return smfi_settimeout(static_cast<int>(std::min(settings.idle_timeout_seconds, 1U << 30))) ==
         MI_SUCCESS;
}

}  // namespace aup::daemon
