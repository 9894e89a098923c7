// What reviewers do with held items: release (re-inject by SMTP, or postsuper -H in hold
// mode), delete, and purge by age. Each decision is taken once: the index's conditional
// transition is the lock, so two reviewers racing get one success and one refusal.
#pragma once

#include <chrono>
#include <string>

#include "quarantine/quarantine.hpp"

namespace aup::quarantine {

enum class Outcome {
  done,
  not_found,        // no such id
  not_held,         // decided already (released, deleted, expired) or a release is running
  relay_deferred,   // the relay was unreachable or answered 4xx: still held
  relay_refused,    // the relay answered 5xx: still held
  relay_uncertain,  // sent, but no answer came: it may have been delivered; left "releasing"
  failed,           // the store or the index failed
};

struct ReviewResult {
  Outcome outcome = Outcome::failed;
  std::string message;  // one line for the reviewer
};

struct Decision {
  std::string id;
  std::string reviewer;
  std::string note;
  // Release only: take back a release that was started over kReleaseInterruptedAfter ago and
  // never finished (the process died). The relay may have delivered it already; the reviewer
  // accepts that a duplicate is possible.
  bool retry_interrupted = false;
  std::string login{};  // the operating-system account acting, recorded beside the name
};

// Longer than any release can take (SMTP connect and transfer timeouts), so that a release
// still running is never mistaken for an interrupted one.
inline constexpr std::chrono::minutes kReleaseInterruptedAfter{10};

ReviewResult release(const Quarantine& quarantine, const Decision& decision,
                     const std::string& header_prefix);
ReviewResult remove(const Quarantine& quarantine, const Decision& decision);
// Leaves a held item held and records the reviewer's note ("kept-held"). The same note from
// the same reviewer again, with nothing having happened to the item since (a form sent twice),
// is done already: nothing is recorded and the message says so. The front ends require a note.
ReviewResult keep_held(const Quarantine& quarantine, const Decision& decision);

struct PurgeResult {
  size_t expired = 0;  // held items that reached the retention age
  size_t purged = 0;   // stored copies of decided items removed
  std::vector<std::string> problems;
};

// Items held before `cutoff` (RFC 3339 UTC) expire; every stored copy older than it goes.
PurgeResult purge(const Quarantine& quarantine, const std::string& cutoff,
                  const std::string& actor);

// The bytes a release re-injects: the stored message with any X-AUP-* fields the sender put
// in removed and one `<prefix>Released` field added; the body is untouched.
std::string released_message(std::string_view raw, const std::string& header_prefix,
                             const std::string& release_field_value);

}  // namespace aup::quarantine
