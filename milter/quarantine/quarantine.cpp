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

std::string_view body_of(std::string_view raw) {
  for (const std::string_view blank : {"\r\n\r\n", "\n\n"}) {
    const size_t at = raw.find(blank);
    if (at != std::string_view::npos) return raw.substr(at + blank.size());
  }
  return {};
}

// FNV-1a, 64 bits: stable across builds, so that fingerprints in the index stay comparable.
// Only a key for finding candidates; sameness is then checked on the stored bytes.
std::string fingerprint_of(const HoldRequest& request) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  const auto mix = [&hash](std::string_view bytes) {
    for (const char c : bytes) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 0x100000001b3ULL;
    }
    hash ^= 0xff;  // separator
    hash *= 0x100000001b3ULL;
  };
  mix(request.envelope.sender.value_or(""));
  for (const std::string& recipient : request.envelope.recipients)
    mix(recipient);
  mix(request.message_id);
  mix(body_of(request.raw));
  return fmt::format("{:016x}", hash);
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
  record["fingerprint"] = fingerprint_of(request);
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
  item.fingerprint = string_at(record, "/fingerprint");
  const nlohmann::json::json_pointer matches("/verdict/matches");
  if (record.contains(matches) && record.at(matches).is_array()) item.matches = record.at(matches);
  const auto size = record.find("size");
  item.size = size != record.end() && size->is_number_unsigned() ? size->get<size_t>() : 0;
  return item;
}

Quarantine::Quarantine(const QuarantineSettings& settings, Create create,
                       std::chrono::milliseconds index_wait)
    : settings_(settings),
      store_(settings.directory, create == Create::yes),
      index_(open_sqlite_index(index_path(settings), create == Create::yes, index_wait)) {}

std::optional<HoldResult> Quarantine::already_held(const HoldRequest& request) const {
  // In hold mode each offer is a separate entry in the MTA's hold queue, with its own id.
  // Without a Message-ID, identical messages may well be separate ones (a script's alerts).
  if (request.mode == QuarantineSettings::Mode::hold || request.message_id.empty()) {
    return std::nullopt;
  }
  try {
    ListFilter same;
    same.statuses = {Status::held};
    same.fingerprint = fingerprint_of(request);
    for (const Item& candidate : index_->list(same)) {
      const auto stored = store_.read_message(candidate.id);
      if (!stored || body_of(*stored) != body_of(request.raw) ||
          candidate.sender != request.envelope.sender.value_or("") ||
          candidate.recipients != request.envelope.recipients) {
        continue;
      }
      index_->append_audit({now_rfc3339(), candidate.id, kDaemonActor, "offered-again",
                            fmt::format("the MTA offered this message again (queue id {}); it "
                                        "is kept once",
                                        request.queue_id)});
      return HoldResult{candidate.id, candidate, "", true};
    }
  } catch (const std::exception&) {
    // Without the index the message is simply stored again: a duplicate, never a loss.
  }
  return std::nullopt;
}

HoldResult Quarantine::hold(const HoldRequest& request) const {
  if (auto existing = already_held(request)) return *existing;
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
