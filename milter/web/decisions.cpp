// Decisions: each goes through quarantine/review.hpp (decided once, audited) or the audit trail.
#include "web/decisions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "quarantine/review.hpp"

namespace aup::web {
namespace {

constexpr size_t kMaxNote = 1000;

int http_status(quarantine::Outcome outcome) {
  switch (outcome) {
    case quarantine::Outcome::done:
      return 200;
    case quarantine::Outcome::not_found:
      return 404;
    case quarantine::Outcome::not_held:
      return 409;
    case quarantine::Outcome::relay_deferred:
      return 503;
    case quarantine::Outcome::relay_refused:
    case quarantine::Outcome::relay_uncertain:
      return 502;
    case quarantine::Outcome::failed:
      return 500;
  }
  return 500;
}

// Notes are one line in the audit trail.
std::string one_line(std::string note) {
  std::replace_if(
      note.begin(), note.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  if (note.size() > kMaxNote) {
    size_t end = kMaxNote;  // not inside a UTF-8 sequence
    while (end > 0 && (static_cast<unsigned char>(note[end]) & 0xC0) == 0x80)
      --end;
    note.resize(end);
  }
  return note;
}

bool needs_four_eyes(const quarantine::Item& item, const WebSettings& web) {
  const auto& clauses = web.four_eyes_clauses;
  return std::any_of(item.clauses.begin(), item.clauses.end(), [&](const std::string& clause) {
    return std::find(clauses.begin(), clauses.end(), clause) != clauses.end();
  });
}

// Officers who approved releasing this item since anything put it back on hold: an approval
// given before an officer chose to keep it held, or before a release failed, no longer counts.
std::vector<std::string> approvers(quarantine::Index& index, const std::string& id) {
  std::vector<std::string> names;
  for (const auto& entry : index.audit(id)) {
    if (entry.action == "release-failed" || entry.action == "quarantined" ||
        entry.action == "kept-held" || entry.action == "release-interrupted") {
      names.clear();
    }
    if (entry.action == "release-approved") names.push_back(entry.actor);
  }
  return names;
}

// Two officers approving at the same moment must not both become "the first".
std::mutex approvals;

DecisionResult release(const quarantine::Quarantine& quarantine, const WebConfig& config,
                       const quarantine::Item& item, const DecisionRequest& request) {
  if (needs_four_eyes(item, config.web)) {
    const std::lock_guard<std::mutex> lock(approvals);
    const auto approved = approvers(quarantine.index(), item.id);
    const bool by_another =
        std::any_of(approved.begin(), approved.end(),
                    [&](const std::string& name) { return name != request.officer; });
    if (!by_another && !approved.empty()) {
      return {409, "You approved this release already; a different officer must release it."};
    }
    if (!by_another) {
      quarantine.index().append_audit({quarantine::now_rfc3339(), item.id, request.officer,
                                       "release-approved", one_line(request.note)});
      return {200,
              "Release approved. Clauses held here need a second officer: a different "
              "officer must now release it."};
    }
  }
  const auto result = quarantine::release(
      quarantine, {item.id, request.officer, one_line(request.note), false, "web"},
      config.settings.header_prefix);
  return {http_status(result.outcome), result.message};
}

}  // namespace

DecisionResult take_decision(const quarantine::Quarantine& quarantine, const WebConfig& config,
                             const std::string& action, const DecisionRequest& request) {
  const auto item = quarantine.index().find(request.id);
  if (!item) return {404, "No such message."};
  if (item->status != quarantine::Status::held) {
    return {409, fmt::format("This message is {} already; nothing was changed.",
                             quarantine::to_string(item->status))};
  }
  if (action == "release") return release(quarantine, config, *item, request);
  if (action == "delete") {
    const auto result = quarantine::remove(
        quarantine, {item->id, request.officer, one_line(request.note), false, "web"});
    return {http_status(result.outcome), result.message};
  }
  if (one_line(request.note).find_first_not_of(' ') == std::string::npos) {
    return {400, "Keeping a message held needs a note saying why."};
  }
  // Through the review operation: a form sent twice records the note once.
  const auto result = quarantine::keep_held(
      quarantine, {item->id, request.officer, one_line(request.note), false, ""});
  return {http_status(result.outcome), result.message};
}

}  // namespace aup::web
