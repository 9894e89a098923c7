// Verdict application. libmilter takes reply text as a format string: '%' is doubled here.
#include "daemon/verdict_actions.hpp"

#include <fmt/format.h>
#include <syslog.h>

#include <string>

#include "daemon/decision_log.hpp"
#include "daemon/log_line.hpp"
#include "daemon/quarantine_action.hpp"

namespace aup::daemon {
namespace {

// False when one could not be removed, or not all were noted (then some would go out).
bool strip_own_headers(SMFICTX* ctx, const MessageState& state) {
  if (state.own_headers_untracked) return false;
  const auto& seen = state.own_header_occurrences;
  for (auto it = seen.rbegin(); it != seen.rend(); ++it) {
    if (smfi_chgheader(ctx, const_cast<char*>(it->first.c_str()), it->second, nullptr) !=
        MI_SUCCESS) {
      return false;
    }
  }
  return true;
}

// With SMFIP_HDR_LEADSPC negotiated the MTA adds no space after the colon: we do.
bool add_headers(SMFICTX* ctx, const Verdict& verdict, bool leading_space) {
  for (const HeaderEdit& edit : verdict.add_headers) {
    const std::string value = (leading_space ? " " : "") + edit.value;
    if (smfi_addheader(ctx, const_cast<char*>(edit.name.c_str()),
                       const_cast<char*>(value.c_str())) != MI_SUCCESS) {
      return false;
    }
  }
  return true;
}

// The footer's body and any Content-* fields that changed with it. smfi_replacebody takes the
// whole body in one call (libmilter sends it in chunks).
bool replace_body(SMFICTX* ctx, const BodyEdit& edit, bool leading_space) {
  for (const FieldSet& field : edit.set_headers) {
    const std::string value = (leading_space ? " " : "") + field.value;
    char* name = const_cast<char*>(field.name.c_str());
    const int result = field.present
                           ? smfi_chgheader(ctx, name, 1, const_cast<char*>(value.c_str()))
                           : smfi_addheader(ctx, name, const_cast<char*>(value.c_str()));
    if (result != MI_SUCCESS) return false;
  }
  auto* bytes = reinterpret_cast<unsigned char*>(const_cast<char*>(edit.body.data()));
  return smfi_replacebody(ctx, bytes, static_cast<int>(edit.body.size())) == MI_SUCCESS;
}

}  // namespace

std::string reply_safe(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const size_t width = c == '%' ? 2 : 1;
    if (out.size() + width > kReplyTextCap) break;
    if (c == '%') {
      out += "%%";
    } else {
      out.push_back(c == '\r' || c == '\n' ? ' ' : c);
    }
  }
  return out;
}

sfsistat refuse(SMFICTX* ctx, std::string_view code, std::string_view xcode,
                std::string_view text) {
  const std::string safe = reply_safe(text);
  if (smfi_setreply(ctx, const_cast<char*>(std::string(code).c_str()),
                    const_cast<char*>(std::string(xcode).c_str()),
                    const_cast<char*>(safe.c_str())) != MI_SUCCESS) {
    LogLine(LOG_WARNING, "reply refused by libmilter; the MTA's own text goes")
        .add("code", code)
        .add("xcode", xcode)
        .send();
  }
  return code.starts_with('4') ? SMFIS_TEMPFAIL : SMFIS_REJECT;
}

sfsistat apply_verdict(SMFICTX* ctx, const Verdict& verdict, const MessageState& state,
                       QuarantineService& quarantines, std::string& quarantine_id) {
  if (verdict.direction == Direction::inbound) return SMFIS_ACCEPT;  // untouched
  const auto failed = [&](const char* what) {
    LogLine(LOG_ERR, "message not changed as the verdict says; tempfail")
        .add("queue_id", state.queue_id)
        .add("failed", what)
        .send();
    return refuse(ctx, kTempfailCode, kTempfailXcode,
                  "Message could not be processed; please try again later");
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
  // A message the store keeps is discarded from the MTA: editing its headers would be moot.
  const bool stored_here = verdict.action == Action::quarantine &&
                           state.config->quarantine.mode == QuarantineSettings::Mode::store;
  if (!stored_here) {
    if (!strip_own_headers(ctx, state)) return failed("remove incoming X-AUP headers");
    if (!add_headers(ctx, verdict, state.header_leading_space)) return failed("add headers");
  }
  // Without SMFIF_CHGBODY the message goes without its footer, and the log says so.
  if (verdict.body_edit && !state.can_replace_body) {
    LogLine(LOG_WARNING, "footer not added: the MTA does not allow body changes (SMFIF_CHGBODY)")
        .add("queue_id", state.queue_id)
        .send();
  } else if (verdict.body_edit &&
             !replace_body(ctx, *verdict.body_edit, state.header_leading_space)) {
    return failed("add the footer");
  }
  if (verdict.action == Action::quarantine) {
    return hold_for_review(ctx, verdict, state, quarantines, quarantine_id);
  }
  return SMFIS_ACCEPT;
}

}  // namespace aup::daemon
