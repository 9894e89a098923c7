#include "daemon/decision_counts.hpp"

#include <fmt/format.h>
#include <syslog.h>

#include "daemon/log_line.hpp"

namespace aup::daemon {
namespace {

constexpr std::array kDirections = {Direction::outbound, Direction::internal, Direction::inbound};
constexpr std::array kActions = {Action::accept, Action::tag, Action::quarantine, Action::reject,
                                 Action::tempfail};

size_t slot(Direction direction) {
  return static_cast<size_t>(direction);
}
size_t slot(Action action) {
  return static_cast<size_t>(action);
}

}  // namespace

uint64_t CountSnapshot::of(Direction direction) const {
  uint64_t total = 0;
  for (const uint64_t count : decided[slot(direction)])
    total += count;
  return total;
}

CountSnapshot CountSnapshot::since(const CountSnapshot& earlier) const {
  CountSnapshot difference;
  for (size_t d = 0; d < decided.size(); ++d) {
    for (size_t a = 0; a < decided[d].size(); ++a)
      difference.decided[d][a] = decided[d][a] - earlier.decided[d][a];
  }
  return difference;
}

void DecisionCounts::add(Direction direction, Action action) noexcept {
  decided_[slot(direction)][slot(action)].fetch_add(1, std::memory_order_relaxed);
}

CountSnapshot DecisionCounts::snapshot() const noexcept {
  CountSnapshot out;
  for (size_t d = 0; d < decided_.size(); ++d) {
    for (size_t a = 0; a < decided_[d].size(); ++a)
      out.decided[d][a] = decided_[d][a].load(std::memory_order_relaxed);
  }
  return out;
}

DecisionCounts& decision_counts() {
  static DecisionCounts counts;
  return counts;
}

std::string counts_text(const CountSnapshot& counts) {
  std::string text;
  for (const Direction direction : kDirections) {
    if (!text.empty()) text += ' ';
    text += fmt::format("{}={}", to_string(direction), counts.of(direction));
    if (direction == Direction::inbound) continue;  // inbound mail is always accepted
    std::string actions;
    for (const Action action : kActions) {
      if (!actions.empty()) actions += ' ';
      actions +=
          fmt::format("{}={}", to_string(action), counts.decided[slot(direction)][slot(action)]);
    }
    text += " (" + actions + ")";
  }
  return text;
}

void log_counts(const CountSnapshot& counts, const char* what) noexcept {
  try {
    // Only directions, actions and numbers: all ours, written as they are.
    log_text(LOG_INFO, fmt::format("messages {}: {}", what, counts_text(counts)));
    const uint64_t inbound = counts.of(Direction::inbound);
    if (inbound > 0 && counts.of(Direction::outbound) + counts.of(Direction::internal) == 0) {
      log_text(LOG_WARNING,
               fmt::format("all {} message(s) {} were classed inbound and passed unchecked: is "
                           "the milter on the submission service, and are internal_domains and "
                           "internal_networks right?",
                           inbound, what));
    }
  } catch (...) {
    log_text(LOG_ERR, "could not log the message counts");
  }
}

}  // namespace aup::daemon
