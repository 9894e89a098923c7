#include "quarantine/sender_notice.hpp"

#include <fmt/format.h>

#include "engine/addresses.hpp"
#include "mime/compose.hpp"

namespace aup::quarantine {
namespace {

std::string reasons(const Verdict& verdict) {
  std::string out;
  for (const Match& match : verdict.matches) {
    if (match.mode != Mode::enforce) continue;
    out +=
        fmt::format("  - policy clause {} ({}): {}\n", match.policy_ref, match.rule, match.detail);
  }
  return out.empty() ? "  - the acceptable-use policy\n" : out;
}

std::string notice_text(const Settings& settings, const Item& item, const Verdict& verdict) {
  const std::string organisation =
      settings.organisation.empty() ? "the organisation" : settings.organisation;
  return fmt::format(
      "Your message has been held for review under {}'s acceptable-use policy. It has not been "
      "delivered yet.\n\n"
      "  Subject:    {}\n  To:         {}\n  Held at:    {}\n  Reference:  {}\n\n"
      "Why it was held:\n{}\n"
      "A compliance officer will review it. If it is released it will be delivered as you sent "
      "it; if not, it will not be delivered. You do not need to send it again.\n\n{}\n",
      organisation, item.subject.empty() ? "(none)" : item.subject,
      fmt::join(item.recipients, ", "), item.time, item.id, reasons(verdict),
      settings.reply_suffix);
}

}  // namespace

std::optional<SmtpSubmission> sender_notice(const Settings& settings,
                                            const QuarantineSettings& quarantine, const Item& item,
                                            const Verdict& verdict) {
  if (!quarantine.notice.enabled || item.sender.empty() ||
      !domain_in(domain_of(item.sender), settings.internal_domains)) {
    return std::nullopt;
  }
  mime::Draft draft;
  draft.from = !quarantine.notice.from.empty() ? quarantine.notice.from
               : settings.internal_domains.empty()
                   ? "postmaster"
                   : "postmaster@" + settings.internal_domains.front();
  draft.to = {item.sender};
  draft.subject = quarantine.notice.subject;
  // RFC 3834: an automatic message, sent with the null sender so that it never loops.
  draft.headers = {{"Auto-Submitted", "auto-replied"}};
  draft.text = notice_text(settings, item, verdict);
  SmtpSubmission submission;
  submission.relay = quarantine.release_relay;
  submission.helo = quarantine.release_helo;
  submission.sender = "";
  submission.recipients = {item.sender};
  submission.data = mime::compose_message(draft);
  submission.timeout = std::chrono::seconds(60);
  return submission;
}

}  // namespace aup::quarantine
