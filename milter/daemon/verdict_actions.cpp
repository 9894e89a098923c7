// Verdict application. libmilter takes reply text as a format string: '%' is doubled here.
#include "daemon/verdict_actions.hpp"

#include <fmt/format.h>
#include <syslog.h>

#include <string>

namespace aup::daemon {
namespace {

std::string reply_safe(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 900)) {
    if (c == '%') {
      out += "%%";
    } else {
      out.push_back(c == '\r' || c == '\n' ? ' ' : c);
    }
  }
  return out;
}

bool strip_own_headers(SMFICTX* ctx, const MessageState& state) {
  const auto& seen = state.own_header_occurrences;
  for (auto it = seen.rbegin(); it != seen.rend(); ++it) {
    if (smfi_chgheader(ctx, const_cast<char*>(it->first.c_str()), it->second, nullptr) !=
        MI_SUCCESS) {
      return false;
    }
  }
  return true;
}

bool add_headers(SMFICTX* ctx, const Verdict& verdict) {
  for (const HeaderEdit& edit : verdict.add_headers) {
    if (smfi_addheader(ctx, const_cast<char*>(edit.name.c_str()),
                       const_cast<char*>(edit.value.c_str())) != MI_SUCCESS) {
      return false;
    }
  }
  return true;
}

std::string quarantine_reason(const Verdict& verdict) {
  std::string reason = "acceptable-use policy";
  for (const Match& match : verdict.matches) {
    if (match.mode == Mode::enforce && match.action == Action::quarantine) {
      return fmt::format("AUP clause {}: {}", match.policy_ref, match.rule);
    }
  }
  return reason;
}

}  // namespace

sfsistat refuse(SMFICTX* ctx, std::string_view code, std::string_view xcode,
                std::string_view text) {
  const std::string safe = reply_safe(text);
  smfi_setreply(ctx, const_cast<char*>(std::string(code).c_str()),
                const_cast<char*>(std::string(xcode).c_str()), const_cast<char*>(safe.c_str()));
  return code.starts_with('4') ? SMFIS_TEMPFAIL : SMFIS_REJECT;
}

sfsistat apply_verdict(SMFICTX* ctx, const Verdict& verdict, const MessageState& state) {
  if (verdict.direction == Direction::inbound) return SMFIS_ACCEPT;  // untouched
  const auto failed = [&](const char* what) {
    syslog(LOG_MAIL | LOG_ERR, "queue_id=%s could not %s; tempfail", state.queue_id.c_str(), what);
    return refuse(ctx, "451", "4.7.1", "Message could not be processed; please try again later");
  };
  switch (verdict.action) {
    case Action::reject:
    case Action::tempfail:
      if (verdict.reply)
        return refuse(ctx, verdict.reply->code, verdict.reply->xcode, verdict.reply->text);
      return failed("build a reply");
    case Action::accept:
    case Action::tag:
    case Action::quarantine:
      break;
  }
  if (!strip_own_headers(ctx, state)) return failed("remove incoming X-AUP headers");
  if (!add_headers(ctx, verdict)) return failed("add headers");
  if (verdict.action == Action::quarantine) {
    const std::string reason = quarantine_reason(verdict);
    if (smfi_quarantine(ctx, const_cast<char*>(reason.c_str())) != MI_SUCCESS) {
      return failed("quarantine");
    }
  }
  return SMFIS_ACCEPT;
}

}  // namespace aup::daemon
