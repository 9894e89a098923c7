// Decision log lines (OpenSMTPD style: one line, every field key=value).
#include "daemon/decision_log.hpp"

#include "daemon/decision_counts.hpp"

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

std::string escape_log_value(std::string_view text) {
  if (text.empty()) return "-";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '"' || c == '\\' || c == '=') {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string decision_line(const Decision& d) {
  std::string line = fmt::format(
      "queue_id={} sender={} recipients={} direction={} action={} rules={} clauses={} "
      "monitor={} elapsed_ms={:.1f}",
      escape_log_value(d.queue_id), escape_log_value(d.envelope.sender.value_or("<>")),
      d.envelope.recipients.size(), to_string(d.verdict.direction), to_string(d.verdict.action),
      escape_log_value(unique_joined(d.verdict, &Match::rule, Mode::enforce)),
      escape_log_value(unique_joined(d.verdict, &Match::policy_ref, Mode::enforce)),
      escape_log_value(unique_joined(d.verdict, &Match::rule, Mode::monitor)),
      static_cast<double>(d.elapsed.count()) / 1000.0);
  if (!d.quarantine_id.empty()) line += " quarantine_id=" + escape_log_value(d.quarantine_id);
  if (d.verdict.footer) line += " footer=" + escape_log_value(d.verdict.footer->outcome);
  return line;
}

bool log_decision(const Decision& decision, const std::string& audit_file) noexcept {
  decision_counts().add(decision.verdict.direction, decision.verdict.action);
  try {
    syslog(LOG_MAIL | LOG_INFO, "%s", decision_line(decision).c_str());
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
    syslog(LOG_MAIL | LOG_ERR, "queue_id=%s audit_file=%s could not be appended to",
           escape_log_value(decision.queue_id).c_str(), escape_log_value(audit_file).c_str());
  } catch (...) {
    syslog(LOG_MAIL | LOG_ERR, "queue_id=%s could not write the decision log",
           escape_log_value(decision.queue_id).c_str());
  }
  return false;
}

}  // namespace aup::daemon
