#include "quarantine/review.hpp"

#include <fmt/format.h>

#include "engine/addresses.hpp"
#include "engine/rfc3339.hpp"
#include "mime/header_block.hpp"
#include "quarantine/postsuper.hpp"
#include "quarantine/smtp_client.hpp"

namespace aup::quarantine {
namespace {

ReviewResult not_held(const Item& item) {
  if (item.status == Status::releasing) {
    return {Outcome::not_held,
            fmt::format("{} is being released by someone else. If that release was interrupted "
                        "(see `aupctl quarantine audit {}`), release it again with "
                        "--retry-interrupted once {} minutes have passed",
                        item.id, item.id, kReleaseInterruptedAfter.count())};
  }
  return {Outcome::not_held,
          fmt::format("{} is not held: it was {} by {} at {}", item.id, to_string(item.status),
                      item.reviewer.empty() ? "the system" : item.reviewer, item.decision_time)};
}

// Finds a held item, or says why there is none.
std::optional<Item> held_item(const Quarantine& quarantine, const std::string& id,
                              ReviewResult& refusal) {
  auto item = valid_item_id(id) ? quarantine.index().find(id) : std::nullopt;
  if (!item) {
    refusal = {Outcome::not_found, fmt::format("no quarantined message with id \"{}\"", id)};
  } else if (item->status != Status::held) {
    refusal = not_held(*item);
    return std::nullopt;
  }
  return item;
}

AuditEntry entry(const Decision& decision, std::string action, std::string detail) {
  if (!decision.login.empty()) {
    detail = detail.empty() ? fmt::format("[login {}]", decision.login)
                            : fmt::format("{} [login {}]", detail, decision.login);
  }
  return {now_rfc3339(), decision.id, decision.reviewer, std::move(action), std::move(detail)};
}

// When the last release of the item started, if it did.
std::optional<std::chrono::system_clock::time_point> release_started(Index& index,
                                                                     const std::string& id) {
  std::optional<std::chrono::system_clock::time_point> started;
  for (const AuditEntry& past : index.audit(id)) {
    if (past.action == "release-started") started = parse_rfc3339(past.time);
  }
  return started;
}

// Puts an item whose release never finished back to held, if it is old enough to be sure.
void reset_interrupted_release(const Quarantine& quarantine, const Decision& decision) {
  Index& index = quarantine.index();
  const auto item = index.find(decision.id);
  if (!item || item->status != Status::releasing) return;
  const auto started = release_started(index, decision.id);
  if (started && std::chrono::system_clock::now() - *started < kReleaseInterruptedAfter) return;
  index.transition(decision.id, {Status::releasing}, Status::held,
                   entry(decision, "release-interrupted",
                         "an unfinished release was taken back; the relay may have delivered "
                         "it already"),
                   false, "");
}

// Delivers a stored item through the release relay.
ReviewResult reinject(const Quarantine& quarantine, const Item& item,
                      const std::string& header_prefix) {
  const auto raw = quarantine.store().read_message(item.id);
  if (!raw) return {Outcome::failed, fmt::format("the stored message {} cannot be read", item.id)};
  SmtpSubmission submission;
  submission.relay = quarantine.settings().release_relay;
  submission.helo = quarantine.settings().release_helo;
  submission.sender = item.sender;
  submission.recipients = item.recipients;
  submission.data = released_message(*raw, header_prefix,
                                     fmt::format("{}; quarantine id {}", now_rfc3339(), item.id));
  const SmtpOutcome sent = submit_by_smtp(submission);
  if (sent.delivered) {
    return {Outcome::done, fmt::format("relay {} accepted it: {}", submission.relay, sent.reply)};
  }
  if (sent.uncertain) {
    return {Outcome::relay_uncertain,
            fmt::format("relay {} took the whole message but gave no answer ({}): it may have "
                        "been delivered. Check the relay's log for its Message-ID before "
                        "releasing it again with --retry-interrupted",
                        submission.relay, sent.reply)};
  }
  return {sent.temporary ? Outcome::relay_deferred : Outcome::relay_refused,
          fmt::format("relay {} did not accept it: {}", submission.relay, sent.reply)};
}

ReviewResult release_from_hold_queue(const Quarantine& quarantine, const Item& item) {
  std::string why;
  if (postsuper_one(quarantine.settings().postfix_config_directory, "-H", item.queue_id, why) ==
      PostsuperResult::acted) {
    return {Outcome::done, fmt::format("released from the Postfix hold queue ({})", item.queue_id)};
  }
  return {Outcome::failed, why};
}

// Ends a held item's review without delivering it (deleted or expired). The item is claimed
// first, so that no release can start meanwhile; in hold mode the MTA's copy is deleted next,
// and if that fails the claim is given back. False with `why` empty: someone decided first.
bool take_out_of_review(const Quarantine& quarantine, const Item& item, Status to,
                        const AuditEntry& decided, const std::string& note, std::string& why) {
  Index& index = quarantine.index();
  if (item.mode != "hold")
    return index.transition(item.id, {Status::held}, to, decided, true, note);
  AuditEntry started = decided;
  started.action += "-started";
  if (!index.transition(item.id, {Status::held}, to, started, false, "")) return false;
  AuditEntry finished = decided;
  switch (postsuper_one(quarantine.settings().postfix_config_directory, "-d", item.queue_id, why)) {
    case PostsuperResult::acted:
      break;
    case PostsuperResult::not_found:  // gone from the MTA already: nothing left to deliver
      finished.detail += (finished.detail.empty() ? "" : "; ") + why;
      why.clear();
      break;
    case PostsuperResult::failed: {
      AuditEntry failed = decided;
      failed.action += "-failed";
      failed.detail = why;
      index.transition(item.id, {to}, Status::held, failed, false, "");
      return false;
    }
  }
  return index.transition(item.id, {to}, to, finished, true, note);
}

bool discard_stored_copy(const Quarantine& quarantine, const std::string& id,
                         const AuditEntry& removed) {
  if (!quarantine.store().remove(id)) return false;
  quarantine.index().mark_removed(id, removed);
  return true;
}

// Records how a release ended. A delivered message is reported as delivered even when the
// index cannot record it; an uncertain one stays "releasing" for a person to check.
void record_release(Index& index, const Item& item, const Decision& decision,
                    ReviewResult& result) {
  try {
    if (result.outcome == Outcome::done) {
      index.transition(item.id, {Status::releasing}, Status::released,
                       entry(decision, "released", result.message), true, decision.note);
    } else if (result.outcome == Outcome::relay_uncertain) {
      index.append_audit(entry(decision, "release-uncertain", result.message));
    } else {
      index.transition(item.id, {Status::releasing}, Status::held,
                       entry(decision, "release-failed", result.message), false, "");
    }
  } catch (const std::exception& error) {
    result.message += fmt::format(
        " (but the quarantine index could not record it: {}; it "
        "shows as \"releasing\")",
        error.what());
  }
}

}  // namespace

std::string released_message(std::string_view raw, const std::string& header_prefix,
                             const std::string& release_field_value) {
  const std::string_view eol = raw.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";
  return header_prefix + "Released: " + release_field_value + std::string(eol) +
         mime::remove_fields_with_prefix(raw, header_prefix);
}

ReviewResult release(const Quarantine& quarantine, const Decision& decision,
                     const std::string& header_prefix) {
  if (decision.retry_interrupted) reset_interrupted_release(quarantine, decision);
  ReviewResult refusal;
  const auto item = held_item(quarantine, decision.id, refusal);
  if (!item) return refusal;
  Index& index = quarantine.index();
  if (!index.transition(item->id, {Status::held}, Status::releasing,
                        entry(decision, "release-started", decision.note), false, "")) {
    return not_held(index.find(item->id).value_or(*item));
  }
  ReviewResult result{Outcome::failed, ""};
  try {
    result = item->mode == "hold" ? release_from_hold_queue(quarantine, *item)
                                  : reinject(quarantine, *item, header_prefix);
  } catch (const std::exception& error) {
    result.message = fmt::format("{} could not be sent: {}", item->id, error.what());
  }
  record_release(index, *item, decision, result);
  return result;
}

ReviewResult remove(const Quarantine& quarantine, const Decision& decision) {
  ReviewResult refusal;
  const auto item = held_item(quarantine, decision.id, refusal);
  if (!item) return refusal;
  std::string why;
  if (!take_out_of_review(quarantine, *item, Status::deleted,
                          entry(decision, "deleted", decision.note), decision.note, why)) {
    return why.empty() ? not_held(quarantine.index().find(item->id).value_or(*item))
                       : ReviewResult{Outcome::failed, why};
  }
  if (!discard_stored_copy(quarantine, item->id,
                           entry(decision, "removed", "stored message deleted"))) {
    return {Outcome::failed, fmt::format("{} is marked deleted but its files could not be removed "
                                         "from {}",
                                         item->id, quarantine.store().directory())};
  }
  return {Outcome::done, fmt::format("{} deleted", item->id)};
}

ReviewResult keep_held(const Quarantine& quarantine, const Decision& decision) {
  ReviewResult refusal;
  const auto item = held_item(quarantine, decision.id, refusal);
  if (!item) return refusal;
  // After any of these a note to keep it held says something new again (an approval to
  // release, for one, is cancelled only by a fresh kept-held entry).
  static const std::vector<std::string> kNewSince = {"quarantined", "release-approved",
                                                     "release-failed", "release-interrupted"};
  if (!quarantine.index().append_audit_once(entry(decision, "kept-held", decision.note),
                                            kNewSince)) {
    return {Outcome::done, fmt::format("{} is already kept held by {} with this note; nothing "
                                       "new was recorded",
                                       item->id, decision.reviewer)};
  }
  return {Outcome::done, fmt::format("{} kept held; the note is in the audit trail", item->id)};
}

PurgeResult purge(const Quarantine& quarantine, const std::string& cutoff,
                  const std::string& actor) {
  PurgeResult result;
  ListFilter old;
  old.before = cutoff;
  for (const Item& item : quarantine.index().list(old)) {
    const Decision decision{item.id, actor, "", false};
    if (item.status == Status::held) {
      std::string why;
      if (!take_out_of_review(quarantine, item, Status::expired,
                              entry(decision, "expired", "held longer than the retention period"),
                              "retention period reached", why)) {
        if (!why.empty()) result.problems.push_back(fmt::format("{}: {}", item.id, why));
        continue;  // or decided meanwhile
      }
      ++result.expired;
    } else if (item.status == Status::releasing) {
      result.problems.push_back(
          fmt::format("{}: a release started and never finished; check the relay's log, then use "
                      "`aupctl quarantine release {} --retry-interrupted` or ask ICT",
                      item.id, item.id));
      continue;
    } else if (!item.stored) {
      continue;
    } else {
      ++result.purged;
    }
    if (!discard_stored_copy(quarantine, item.id,
                             entry(decision, "purged", "stored message removed (retention)"))) {
      result.problems.push_back(fmt::format("{}: files could not be removed", item.id));
    }
  }
  return result;
}

}  // namespace aup::quarantine
