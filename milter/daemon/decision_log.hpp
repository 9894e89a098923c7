// One key=value line per message to syslog (facility mail), and optionally the same fields as
// a JSON line to an audit file. Untrusted text is escaped; bodies and credentials never appear.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "daemon/log_line.hpp"
#include "engine/message.hpp"
#include "engine/verdict.hpp"

namespace aup::daemon {

struct Decision {
  std::string_view queue_id;
  const Envelope& envelope;
  const Verdict& verdict;
  std::chrono::microseconds elapsed;
  std::string_view quarantine_id = {};  // the stored item, when quarantined
};

std::string decision_line(const Decision& decision);

// Logs to syslog, appends to `audit_file` when it is not empty, and counts the decision (see
// decision_counts). rules= and clauses= are the enforced matches, monitor= the rules in
// monitor mode that matched. Never throws; false (and an error logged) when the audit line
// could not be written.
bool log_decision(const Decision& decision, const std::string& audit_file) noexcept;

}  // namespace aup::daemon
