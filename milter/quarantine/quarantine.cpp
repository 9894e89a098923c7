#include "quarantine/quarantine.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "engine/rfc3339.hpp"

namespace aup::quarantine {
namespace {

// The matches that decided the verdict: enforced ones (monitor matches are in the record).
std::vector<Match> enforced(const Verdict& verdict) {
  std::vector<Match> out;
  for (const Match& match : verdict.matches) {
    if (match.mode == Mode::enforce) out.push_back(match);
  }
  return out;
}

nlohmann::ordered_json record_for(const HoldRequest& request, const std::string& time) {
  const Envelope& envelope = request.envelope;
  const std::vector<Match> why = enforced(request.verdict);
  nlohmann::ordered_json record;
  record["id"] = "";
  record["time"] = time;
  record["mode"] = request.mode == QuarantineSettings::Mode::hold ? "hold" : "store";
  record["queue_id"] = request.queue_id;
  record["envelope"] = {{"sender", envelope.sender.value_or("")},
                        {"recipients", envelope.recipients},
                        {"auth_user", envelope.auth_user.value_or("")},
                        {"client_ip", envelope.client_ip.value_or("")}};
  record["subject"] = request.subject;
  record["size"] = request.raw.size();
  record["rules"] = distinct(why, &Match::rule);
  record["clauses"] = distinct(why, &Match::policy_ref);
  record["verdict"] = to_json(request.verdict);
  return record;
}

std::vector<std::string> strings_at(const nlohmann::json& record,
                                    const nlohmann::json::json_pointer& at) {
  std::vector<std::string> out;
  if (!record.contains(at) || !record.at(at).is_array()) return out;
  for (const auto& value : record.at(at)) {
    if (value.is_string()) out.push_back(value.get<std::string>());
  }
  return out;
}

std::string string_at(const nlohmann::json& record, const char* pointer) {
  const nlohmann::json::json_pointer at(pointer);
  return record.contains(at) && record.at(at).is_string() ? record.at(at).get<std::string>() : "";
}

}  // namespace

std::string index_path(const QuarantineSettings& settings) {
  return settings.index.empty()
             ? (std::filesystem::path(settings.directory) / "index.sqlite").string()
             : settings.index;
}

std::string now_rfc3339() {
  return format_rfc3339(std::chrono::system_clock::now());
}

Item item_from_record(const nlohmann::json& record) {
  Item item;
  item.id = string_at(record, "/id");
  item.time = string_at(record, "/time");
  item.mode = string_at(record, "/mode");
  item.queue_id = string_at(record, "/queue_id");
  item.sender = string_at(record, "/envelope/sender");
  item.recipients = strings_at(record, nlohmann::json::json_pointer("/envelope/recipients"));
  item.subject = string_at(record, "/subject");
  item.direction = string_at(record, "/verdict/direction");
  item.rules = strings_at(record, nlohmann::json::json_pointer("/rules"));
  item.clauses = strings_at(record, nlohmann::json::json_pointer("/clauses"));
  const auto size = record.find("size");
  item.size = size != record.end() && size->is_number_unsigned() ? size->get<size_t>() : 0;
  return item;
}

Quarantine::Quarantine(const QuarantineSettings& settings)
    : settings_(settings),
      store_(settings.directory),
      index_(open_sqlite_index(index_path(settings))) {}

HoldResult Quarantine::hold(const HoldRequest& request) const {
  const auto now = std::chrono::system_clock::now();
  nlohmann::ordered_json record = record_for(request, format_rfc3339(now));
  HoldResult result;
  result.id = store_.write(request.raw, record, now);
  record["id"] = result.id;
  result.item = item_from_record(nlohmann::json(record));
  const AuditEntry entry{
      result.item.time, result.id, kDaemonActor, "quarantined",
      fmt::format("rules {}; clauses {}; queue id {}", fmt::join(result.item.rules, ", "),
                  fmt::join(result.item.clauses, ", "), request.queue_id)};
  try {
    // A reviewer's reconcile may have indexed it a moment ago; keep our fuller entry anyway.
    if (!index_->add(result.item, entry)) index_->append_audit(entry);
  } catch (const std::exception& error) {
    result.index_error = error.what();
  }
  return result;
}

size_t Quarantine::reconcile() const {
  size_t added = 0;
  for (const std::string& id : store_.ids()) {
    if (index_->find(id)) continue;
    const auto record = store_.read_record(id);
    if (!record) continue;
    Item item = item_from_record(*record);
    item.id = id;
    if (index_->add(item, {now_rfc3339(), id, kDaemonActor, "quarantined",
                           "found in the quarantine directory and indexed"})) {
      ++added;
    }
  }
  store_.remove_stale_temporaries(std::chrono::hours(1));
  return added;
}

}  // namespace aup::quarantine
