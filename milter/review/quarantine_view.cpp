#include "review/quarantine_view.hpp"

#include <fmt/format.h>

#include "inspect/inspect.hpp"
#include "mime/mime_view.hpp"
#include "review/safe_text.hpp"

namespace aup::review {
namespace {

using Json = nlohmann::ordered_json;

// The index keeps the matches after the stored record is gone (deleted, purged); items
// indexed before it kept them have only the record.
Json why_held(const quarantine::Item& item, const std::optional<nlohmann::json>& record) {
  Json out = Json::array();
  const nlohmann::json::json_pointer at("/verdict/matches");
  const nlohmann::json* matches = &item.matches;
  if (matches->empty() && record && record->contains(at)) matches = &record->at(at);
  if (!matches->is_array()) return out;
  for (const auto& match : *matches) {
    if (!match.is_object()) continue;
    out.push_back({{"rule", match.value("rule", "")},
                   {"clause", match.value("policy_ref", "")},
                   {"action", match.value("action", "")},
                   {"mode", match.value("mode", "")},
                   {"where", match.value("scope", "")},
                   {"matched", match.value("detail", "")}});
  }
  return out;
}

Json message_content(const std::string& raw, const Settings& settings) {
  mime::MimeView view = mime::parse_message(raw, settings.mime);
  // One message an officer opened: its own libmagic handles (a millisecond or two) keep the
  // review pages free of shared state, and typing it in order is quick enough.
  const inspect::TypeDetector types;
  inspect::inspect_attachments(view, settings.inspect, {inspect::sequential_executor(), types});
  Json out;
  out["headers"] = Json::array();
  for (const auto& field : view.headers) {
    out["headers"].push_back({{"name", field.name}, {"value", field.value}});
  }
  out["text_parts"] = Json::array();
  for (const auto& part : view.text_parts) {
    if (part.attached) continue;  // listed with the attachments
    out["text_parts"].push_back(
        {{"part", part.path}, {"content_type", part.content_type}, {"text", part.text}});
  }
  out["attachments"] = Json::array();
  for (const auto& attachment : view.attachments) {
    out["attachments"].push_back({{"name", attachment.filename},
                                  {"other_names", attachment.names},
                                  {"true_type", inspect::shown_type(attachment)},
                                  {"declared_type", attachment.content_type},
                                  {"size", attachment.size},
                                  {"inside", attachment.container}});
  }
  out["problems"] = view.problems;
  return out;
}

std::string indented(const std::string& text, std::string_view prefix) {
  std::string out;
  size_t at = 0;
  while (at <= text.size()) {
    const size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end == std::string::npos ? end : end - at);
    if (!(end == std::string::npos && line.empty())) out += fmt::format("{}{}\n", prefix, line);
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return out;
}

std::string safe(const Json& value) {
  return terminal_safe(value.is_string() ? value.get<std::string>() : value.dump());
}

std::string summary_text(const Json& item) {
  std::string out = fmt::format("Quarantined message {}\n", safe(item["id"]));
  out += fmt::format("  Status:      {}\n", safe(item["status"]));
  out += fmt::format("  Held at:     {} ({} mode, MTA queue id {})\n", safe(item["time"]),
                     safe(item["mode"]), safe(item["queue_id"]));
  out += fmt::format("  Sender:      {}\n", item["sender"].get<std::string>().empty()
                                                ? "<> (null sender)"
                                                : safe(item["sender"]));
  for (const auto& recipient : item["recipients"]) {
    out += fmt::format("  Recipient:   {}\n", safe(recipient));
  }
  out += fmt::format("  Subject:     {}\n", safe(item["subject"]));
  out += fmt::format("  Size:        {} bytes\n", item["size"].get<size_t>());
  if (!item["reviewer"].get<std::string>().empty()) {
    out += fmt::format("  Decision:    {} by {} at {}{}\n", safe(item["status"]),
                       safe(item["reviewer"]), safe(item["decision_time"]),
                       item["note"].get<std::string>().empty()
                           ? ""
                           : fmt::format(" (note: {})", safe(item["note"])));
  }
  return out;
}

std::string why_text(const Json& why) {
  std::string out = "\nWhy it was held\n";
  for (const auto& match : why) {
    out += fmt::format("  - clause {}, rule {} ({}{}) in {}: {}\n", safe(match["clause"]),
                       safe(match["rule"]), safe(match["action"]),
                       match["mode"] == "monitor" ? ", monitor only" : "", safe(match["where"]),
                       safe(match["matched"]));
  }
  return out;
}

std::string content_text(const Json& content) {
  std::string out = "\nHeaders\n";
  for (const auto& field : content["headers"]) {
    out += fmt::format("  {}: {}\n", safe(field["name"]), safe(field["value"]));
  }
  for (const auto& part : content["text_parts"]) {
    out += fmt::format("\nText (part {}, {})\n", safe(part["part"]), safe(part["content_type"]));
    out += indented(terminal_safe(part["text"].get<std::string>(), true), "  | ");
  }
  out += content["attachments"].empty() ? "\nAttachments: none\n" : "\nAttachments\n";
  for (const auto& file : content["attachments"]) {
    const std::string inside = file["inside"].get<std::string>();
    out += fmt::format("  - {}: {} (declared {}), {} bytes{}\n",
                       file["name"].get<std::string>().empty() ? "(no name)" : safe(file["name"]),
                       safe(file["true_type"]), safe(file["declared_type"]),
                       file["size"].get<size_t>(),
                       inside.empty() ? "" : fmt::format(", inside {}", terminal_safe(inside)));
  }
  for (const auto& problem : content["problems"]) {
    out += fmt::format("  ! {}\n", safe(problem));
  }
  return out;
}

}  // namespace

Json review_view(const quarantine::Item& item, const std::optional<nlohmann::json>& record,
                 const std::optional<std::string>& message, const Settings& settings) {
  Json view;
  view["item"] = quarantine::to_json(item);
  view["why"] = why_held(item, record);
  if (message) {
    view["content"] = message_content(*message, settings);
  } else {
    view["content"] = nullptr;
  }
  return view;
}

std::string review_text(const Json& view) {
  std::string out = summary_text(view["item"]);
  out += why_text(view["why"]);
  if (view["content"].is_null()) {
    out += "\nThe stored message is no longer kept (deleted, released and purged, or expired).\n";
  } else {
    out += content_text(view["content"]);
  }
  return out;
}

}  // namespace aup::review
