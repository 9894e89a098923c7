#include "daemon/quarantine_action.hpp"

#include <fmt/format.h>
#include <syslog.h>

#include "daemon/decision_log.hpp"
#include "daemon/log_line.hpp"
#include "daemon/verdict_actions.hpp"
#include "mime/mime_view.hpp"
#include "quarantine/sender_notice.hpp"

namespace aup::daemon {
namespace {

quarantine::HoldResult store_copy(const Verdict& verdict, const MessageState& state,
                                  const std::shared_ptr<const quarantine::Quarantine>& place) {
  const Settings& settings = state.policy().settings;
  const mime::MimeView view = mime::parse_message(state.message.raw, settings.mime);
  const auto message_id = view.header_values("Message-ID");
  return place->hold({state.message.raw, state.message.envelope, verdict, state.queue_id,
                      view.subject, state.config->quarantine.mode,
                      message_id.empty() ? std::string() : std::string(message_id.front())});
}

// Stores the message; false (after logging) when it could not be stored.
bool store_for_review(const Verdict& verdict, const MessageState& state,
                      QuarantineService& quarantines, quarantine::HoldResult& held,
                      std::shared_ptr<const quarantine::Quarantine>& place) {
  try {
    place = quarantines.open(state.config->quarantine);
    held = store_copy(verdict, state, place);
    return true;
  } catch (const std::exception& error) {
    LogLine(LOG_ERR, "could not be quarantined; tempfail")
        .add("queue_id", state.queue_id)
        .add("error", error.what())
        .send();
    return false;
  }
}

// What follows a stored message never changes the verdict: it is safe in the store.
void after_storing(const quarantine::HoldResult& held, const Verdict& verdict,
                   const MessageState& state, QuarantineService& quarantines,
                   const std::shared_ptr<const quarantine::Quarantine>& place) noexcept {
  try {
    if (!held.index_error.empty()) {
      // The next reconcile indexes it.
      LogLine(LOG_ERR, "stored but not indexed")
          .add("quarantine_id", held.id)
          .add("error", held.index_error)
          .send();
    }
    if (held.offered_again) return;  // the sender was told the first time
    if (auto notice = quarantine::sender_notice(state.policy().settings, state.config->quarantine,
                                                held.item, verdict)) {
      quarantines.send_later(place, held.id, std::move(*notice));
    }
  } catch (const std::exception& error) {
    LogLine(LOG_ERR, "no sender notice")
        .add("quarantine_id", held.id)
        .add("error", error.what())
        .send();
  }
}

sfsistat could_not_store(SMFICTX* ctx) {
  return refuse(ctx, kTempfailCode, kStoreFailedXcode,
                "Message could not be stored for review; please try again later");
}

// Store mode: the store keeps the message, the MTA forgets it.
sfsistat store_and_discard(SMFICTX* ctx, const Verdict& verdict, const MessageState& state,
                           QuarantineService& quarantines, std::string& quarantine_id) {
  quarantine::HoldResult held;
  std::shared_ptr<const quarantine::Quarantine> place;
  if (!store_for_review(verdict, state, quarantines, held, place)) return could_not_store(ctx);
  quarantine_id = held.id;
  after_storing(held, verdict, state, quarantines, place);
  return SMFIS_DISCARD;
}

// Hold mode: the MTA keeps the message in its hold queue. The copy for reviewers is stored
// first, so that nothing is held where no reviewer can see it: no copy, no hold (tempfail).
sfsistat quarantine_in_mta(SMFICTX* ctx, const Verdict& verdict, const MessageState& state,
                           QuarantineService& quarantines, std::string& quarantine_id) {
  quarantine::HoldResult held;
  std::shared_ptr<const quarantine::Quarantine> place;
  if (!store_for_review(verdict, state, quarantines, held, place)) return could_not_store(ctx);
  quarantine_id = held.id;
  const std::string reason = quarantine_reason(verdict);
  if (smfi_quarantine(ctx, const_cast<char*>(reason.c_str())) != MI_SUCCESS) {
    LogLine(LOG_ERR, "the MTA's quarantine refused; tempfail")
        .add("queue_id", state.queue_id)
        .send();
    return refuse(ctx, kTempfailCode, kTempfailXcode,
                  "Message could not be processed; please try again later");
  }
  after_storing(held, verdict, state, quarantines, place);
  return SMFIS_ACCEPT;
}

}  // namespace

std::string quarantine_reason(const Verdict& verdict) {
  for (const Match& match : verdict.matches) {
    if (match.mode == Mode::enforce && match.action == Action::quarantine) {
      return fmt::format("AUP clause {}: {}", match.policy_ref, match.rule);
    }
  }
  return "acceptable-use policy";
}

sfsistat hold_for_review(SMFICTX* ctx, const Verdict& verdict, const MessageState& state,
                         QuarantineService& quarantines, std::string& quarantine_id) {
  if (state.config->quarantine.mode == QuarantineSettings::Mode::hold) {
    return quarantine_in_mta(ctx, verdict, state, quarantines, quarantine_id);
  }
  return store_and_discard(ctx, verdict, state, quarantines, quarantine_id);
}

}  // namespace aup::daemon
