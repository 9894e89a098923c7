#include "quarantine/item.hpp"

#include <array>
#include <utility>

namespace aup::quarantine {
namespace {

constexpr std::array<std::pair<Status, std::string_view>, 5> kStatusNames{{
    {Status::held, "held"},
    {Status::releasing, "releasing"},
    {Status::released, "released"},
    {Status::deleted, "deleted"},
    {Status::expired, "expired"},
}};

}  // namespace

std::string_view to_string(Status status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "unknown";
}

std::optional<Status> parse_status(std::string_view name) {
  for (const auto& [value, known] : kStatusNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

nlohmann::ordered_json to_json(const Item& item) {
  nlohmann::ordered_json out;
  out["id"] = item.id;
  out["time"] = item.time;
  out["status"] = to_string(item.status);
  out["mode"] = item.mode;
  out["queue_id"] = item.queue_id;
  out["sender"] = item.sender;
  out["recipients"] = item.recipients;
  out["subject"] = item.subject;
  out["direction"] = item.direction;
  out["rules"] = item.rules;
  out["clauses"] = item.clauses;
  out["size"] = item.size;
  out["reviewer"] = item.reviewer;
  out["decision_time"] = item.decision_time;
  out["note"] = item.note;
  out["stored"] = item.stored;
  return out;
}

nlohmann::ordered_json to_json(const AuditEntry& entry) {
  return {{"time", entry.time},
          {"id", entry.item_id},
          {"actor", entry.actor},
          {"action", entry.action},
          {"detail", entry.detail}};
}

}  // namespace aup::quarantine
