// How many messages the daemon decided, by direction and action, since it started. Logged now
// and then, so that a milter hooked to the wrong Postfix service (everything classed inbound)
// shows as such instead of as a quiet day.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "engine/actions.hpp"

namespace aup::daemon {

struct CountSnapshot {
  // [direction][action], in the enums' order.
  std::array<std::array<uint64_t, 5>, 3> decided{};

  uint64_t of(Direction direction) const;
  CountSnapshot since(const CountSnapshot& earlier) const;
};

class DecisionCounts {
 public:
  void add(Direction direction, Action action) noexcept;
  CountSnapshot snapshot() const noexcept;

 private:
  std::array<std::array<std::atomic<uint64_t>, 5>, 3> decided_{};
};

// The daemon's one set of counts (log_decision adds to it).
DecisionCounts& decision_counts();

// "outbound=3 (accept=2 tag=1 ...) internal=0 inbound=5 ..." for a log line.
std::string counts_text(const CountSnapshot& counts);

// Logs what was decided over `period` (with a warning when every message was inbound), and the
// totals since start; `what` says which period ("in the last hour", "since start").
void log_counts(const CountSnapshot& counts, const char* what) noexcept;

}  // namespace aup::daemon
