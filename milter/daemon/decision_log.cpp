// Decision log lines (OpenSMTPD style: one line, every field key=value).
#include "daemon/decision_log.hpp"

#include "daemon/decision_counts.hpp"
#include "daemon/log_line.hpp"

#include <fmt/format.h>
#include <syslog.h>

#include <fstream>
#include <mutex>

namespace aup::daemon {
namespace {

// Enforced and monitor-mode matches are kept apart: a rule on trial must not read as a reason
// for what was done to the message.
std::string unique_joined(const Verdict& verdict, std::string Match::*field, Mode mode) {
  std::vector<Match> of_mode;
  for (const Match& match : verdict.matches) {
    if (match.mode == mode) of_mode.push_back(match);
  }
  const std::string joined = fmt::format("{}", fmt::join(distinct(of_mode, field), ","));
  return joined.empty() ? "-" : joined;
}

nlohmann::ordered_json decision_json(const Decision& d) {
  nlohmann::ordered_json out = {
      {"queue_id", d.queue_id},
      {"sender", d.envelope.sender.value_or("")},
      {"recipients", d.envelope.recipients.size()},
      {"direction", to_string(d.verdict.direction)},
      {"action", to_string(d.verdict.action)},
      {"rules", unique_joined(d.verdict, &Match::rule, Mode::enforce)},
      {"clauses", unique_joined(d.verdict, &Match::policy_ref, Mode::enforce)},
      {"monitor", unique_joined(d.verdict, &Match::rule, Mode::monitor)},
      {"elapsed_us", d.elapsed.count()}};
  if (!d.quarantine_id.empty()) out["quarantine_id"] = d.quarantine_id;
  if (d.verdict.footer) out["footer"] = d.verdict.footer->outcome;
  return out;
}

}  // namespace

std::string decision_line(const Decision& d) {
  LogLine line(LOG_INFO, "");
  line.add("queue_id", d.queue_id)
      .add("sender", d.envelope.sender.value_or("<>"))
      .add("recipients", d.envelope.recipients.size())
      .add("direction", to_string(d.verdict.direction))
      .add("action", to_string(d.verdict.action))
      .add("rules", unique_joined(d.verdict, &Match::rule, Mode::enforce))
      .add("clauses", unique_joined(d.verdict, &Match::policy_ref, Mode::enforce))
      .add("monitor", unique_joined(d.verdict, &Match::rule, Mode::monitor))
      .add("elapsed_ms", fmt::format("{:.1f}", static_cast<double>(d.elapsed.count()) / 1000.0));
  if (!d.quarantine_id.empty()) line.add("quarantine_id", d.quarantine_id);
  if (d.verdict.footer) line.add("footer", d.verdict.footer->outcome);
  return line.text();
}

bool log_decision(const Decision& decision, const std::string& audit_file) noexcept {
  decision_counts().add(decision.verdict.direction, decision.verdict.action);
  try {
    log_text(LOG_INFO, decision_line(decision));
    if (audit_file.empty()) return true;
    static std::mutex audit_mutex;
    const std::string line =
        decision_json(decision).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const std::lock_guard lock(audit_mutex);
    std::ofstream out(audit_file, std::ios::app);
    out << line << '\n';
    out.flush();
    if (out) return true;
    // The syslog line above stands; the compliance record does not, and someone must know.
    LogLine(LOG_ERR, "audit file could not be appended to")
        .add("queue_id", decision.queue_id)
        .add("audit_file", audit_file)
        .send();
  } catch (...) {
    LogLine(LOG_ERR, "could not write the decision log").add("queue_id", decision.queue_id).send();
  }
  return false;
}

}  // namespace aup::daemon
