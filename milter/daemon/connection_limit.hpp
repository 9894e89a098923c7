// How many milter connections are open, against daemon.max_connections (issue 19, item 7).
//
// libmilter starts a thread and uses a descriptor for every connection it accepts, with no
// limit of its own: once descriptors run out, accept() fails and a new MTA session waits for
// a reply that never comes. Counting from xxfi_negotiate/xxfi_connect to xxfi_close lets a
// connection beyond the limit get a tempfail answer at connect while descriptors remain, and
// the idle timeout (smfi_settimeout) closes the idle and half-open ones that hold slots.
#pragma once

#include <sys/resource.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_set>

#include "daemon/daemon_settings.hpp"

namespace aup::daemon {

class ConnectionSlots {
 public:
  // Takes a slot for the connection `key` (its SMFICTX), once; false when `limit` (lowered to
  // the descriptor capacity) are already taken, which is counted.
  bool take(const void* key, unsigned limit);
  // Gives back the connection's slot, if it took one.
  void release(const void* key);
  void set_capacity(unsigned capacity) noexcept { capacity_ = capacity; }
  unsigned open() const;
  uint64_t refused() const noexcept { return refused_; }

 private:
  mutable std::mutex mutex_;
  std::unordered_set<const void*> holders_;
  std::atomic<unsigned> capacity_{~0U};
  std::atomic<uint64_t> refused_{0};
};

// The daemon's one set of slots.
ConnectionSlots& connection_slots();

// Descriptors kept for everything but connections: the listener, quarantine files and their
// index, clamd, the audit file, syslog.
constexpr rlim_t kReservedDescriptors = 64;

// Connections that fit `descriptor_limit` with the reserve kept (at least 1).
unsigned connection_capacity(rlim_t descriptor_limit) noexcept;

// Before smfi_main: raises the soft descriptor limit to the hard one (a hand-started daemon
// often has 1024), fits the slots to it (logging when max_connections does not fit) and sets
// libmilter's I/O timeout to idle_timeout_seconds. False if libmilter refused the timeout.
bool apply_connection_settings(const DaemonSettings& settings);

}  // namespace aup::daemon
