// What the quarantine knows about one held message, and about each action taken on it.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace aup::quarantine {

// held -> releasing -> released | held (the relay refused); held -> deleted | expired.
// "releasing" marks a release in progress, so that two reviewers cannot both deliver it.
enum class Status { held, releasing, released, deleted, expired };

std::string_view to_string(Status status);
std::optional<Status> parse_status(std::string_view name);

struct Item {
  std::string id;
  std::string time;      // RFC 3339 UTC, when it was held
  std::string queue_id;  // the MTA's queue id
  std::string mode;      // "store" (kept here, discarded by the MTA) or "hold" (MTA hold queue)
  std::string sender;    // envelope sender; "" is the null sender
  std::vector<std::string> recipients;
  std::string subject;
  std::string direction;  // outbound or internal
  std::vector<std::string> rules, clauses;
  size_t size = 0;  // bytes of the stored message
  Status status = Status::held;
  std::string reviewer;
  std::string decision_time;
  std::string note;
  bool stored = true;  // the message bytes are still in the directory
  // Envelope, Message-ID and body, hashed: the same message offered again (the MTA retrying
  // after a crash before it heard our answer) is recognised and kept once.
  std::string fingerprint;
  // Why it was held: the verdict's matches as the record has them. Kept in the index because
  // the record goes with the stored copy, and reviewers still need the reasons after that.
  nlohmann::json matches = nlohmann::json::array();
};

struct AuditEntry {
  std::string time;
  std::string item_id;
  std::string actor;   // a reviewer's name, or "aup-milter" / "retention" for the system
  std::string action;  // quarantined, released, release-failed, deleted, expired, purged, ...
  std::string detail;
};

struct ListFilter {
  std::vector<Status> statuses;       // empty: every status
  std::optional<std::string> since;   // RFC 3339 UTC
  std::optional<std::string> before;  // RFC 3339 UTC
  std::optional<std::string> rule;
  std::optional<std::string> sender;  // compared case-insensitively
  std::optional<std::string> fingerprint;
};

nlohmann::ordered_json to_json(const Item& item);
nlohmann::ordered_json to_json(const AuditEntry& entry);

}  // namespace aup::quarantine
