// Settings: each key validated with a message that names it; defaults where a key is absent.
#include "engine/settings_loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "engine/config_reader.hpp"
#include "engine/size_limit.hpp"
#include "engine/working_hours.hpp"

namespace aup {
namespace {

using Json = nlohmann::json;

class SettingsReader : ConfigReader {
 public:
  SettingsReader(const SourceFile& file, DiagnosticSink& sink) : ConfigReader(file, sink) {}

  Settings read() {
    // "daemon", "clamd", "quarantine" and "web" belong to the front ends, which read them.
    report_unknown_keys(file(), file().json, "", "",
                        {"organisation",
                         "internal_domains",
                         "internal_networks",
                         "header_prefix",
                         "reply_suffix",
                         "recipient_delimiter",
                         "secure_partner_domains",
                         "working_hours",
                         "all_staff",
                         "personal",
                         "mailbox_map",
                         "daemon",
                         "clamd",
                         "quarantine",
                         "footer",
                         "web",
                         "on_internal_error",
                         "on_regex_limit",
                         "limits",
                         "rule_files"},
                        sink());
    Settings settings;
    settings.organisation = text("/organisation", settings.organisation);
    settings.internal_domains = domains("/internal_domains");
    settings.internal_networks = networks("/internal_networks");
    settings.header_prefix = text("/header_prefix", settings.header_prefix);
    if (!valid_field_name_prefix(settings.header_prefix)) {
      error("/header_prefix", "must be the start of a header field name, such as \"X-AUP-\"");
    }
    settings.reply_suffix = text("/reply_suffix", settings.reply_suffix);
    settings.recipient_delimiter = text("/recipient_delimiter", settings.recipient_delimiter);
    settings.on_internal_error = action("/on_internal_error", settings.on_internal_error,
                                        {Action::tempfail, Action::quarantine, Action::accept});
    settings.on_regex_limit =
        action("/on_regex_limit", settings.on_regex_limit,
               {Action::tempfail, Action::quarantine, Action::tag, Action::accept});
    settings.secure_partner_domains = partner_domains("/secure_partner_domains");
    read_working_hours(settings.working_hours);
    read_all_staff(settings.all_staff);
    read_personal(settings.personal);
    read_mailbox_map(settings.mailboxes);
    read_limits(settings);
    read_size_limit(settings.size_limit);
    read_footer(settings.footer);
    return settings;
  }

 private:
  std::vector<std::string> domains(const std::string& pointer) {
    std::vector<std::string> out;
    for (std::string& domain : strings(pointer)) {
      domain = to_lower_ascii(domain);
      if (!domain.empty() && domain.front() == '.') domain.erase(0, 1);
      if (domain.empty() || domain.find_first_of(" @/") != std::string::npos) {
        error(pointer, fmt::format("\"{}\" is not a domain", domain));
      } else {
        out.push_back(domain);
      }
    }
    if (out.empty() && sink().error_count() == 0) {
      sink().warning(file(), pointer, "",
                     "no internal domains: no mail will be classed as originating by its sender");
    }
    return out;
  }

  std::vector<Network> networks(const std::string& pointer) {
    std::vector<Network> out;
    const auto texts = strings(pointer);
    for (size_t i = 0; i < texts.size(); ++i) {
      if (auto network = parse_network(texts[i])) {
        out.push_back(*network);
      } else {
        error(fmt::format("{}/{}", pointer, i),
              fmt::format("\"{}\" is not an IP address or CIDR network", texts[i]));
      }
    }
    return out;
  }

  Action action(const std::string& pointer, Action fallback,
                std::initializer_list<Action> allowed) {
    const std::string name = text(pointer, std::string(to_string(fallback)));
    const auto parsed = parse_action(name);
    if (parsed && std::find(allowed.begin(), allowed.end(), *parsed) != allowed.end()) {
      return *parsed;
    }
    std::vector<std::string_view> names;
    for (Action a : allowed)
      names.push_back(to_string(a));
    error(pointer, fmt::format("\"{}\" is not one of: {}", name, fmt::join(names, ", ")));
    return fallback;
  }

  std::vector<std::string> partner_domains(const std::string& pointer) {
    std::vector<std::string> out = lowered(pointer);
    for (const std::string& domain : out) {
      if (domain.empty() || domain == "." || domain.find_first_of(" @/") != std::string::npos) {
        error(pointer, fmt::format("\"{}\" is not a domain", domain));
      }
    }
    return out;
  }

  // "HH:MM" -> minutes after midnight; "24:00" allowed as an end.
  std::optional<int> clock_time(const std::string& pointer) {
    const std::string text_value = text(pointer, "");
    int hours = 0, minutes = 0;
    char extra = 0;
    if (std::sscanf(text_value.c_str(), "%2d:%2d%c", &hours, &minutes, &extra) == 2 &&
        text_value.size() == 5 && hours >= 0 && minutes >= 0 && minutes < 60 &&
        (hours < 24 || (hours == 24 && minutes == 0))) {
      return hours * 60 + minutes;
    }
    error(pointer, fmt::format("\"{}\" is not a time such as \"09:00\"", text_value));
    return std::nullopt;
  }

  void read_working_hours(WorkingHours& hours) {
    if (!object_at("/working_hours", {"days", "start", "end", "time_zone", "holidays"})) return;
    if (at("/working_hours/days") != nullptr) hours.days = weekdays("/working_hours/days");
    if (at("/working_hours/start") != nullptr) {
      hours.start_minute = clock_time("/working_hours/start").value_or(hours.start_minute);
    }
    if (at("/working_hours/end") != nullptr) {
      hours.end_minute = clock_time("/working_hours/end").value_or(hours.end_minute);
    }
    hours.time_zone = text("/working_hours/time_zone", hours.time_zone);
    if (!time_zone_exists(hours.time_zone)) {
      error("/working_hours/time_zone",
            fmt::format("unknown time zone \"{}\" (an IANA name such as Europe/London)",
                        hours.time_zone));
    }
    hours.holidays = strings("/working_hours/holidays");
    for (size_t i = 0; i < hours.holidays.size(); ++i) {
      if (!valid_date(hours.holidays[i])) {
        error(fmt::format("/working_hours/holidays/{}", i),
              fmt::format("\"{}\" is not a date such as \"2026-12-25\"", hours.holidays[i]));
      }
    }
  }

  std::vector<int> weekdays(const std::string& pointer) {
    static const std::array<std::string_view, 7> kNames = {"mon", "tue", "wed", "thu",
                                                           "fri", "sat", "sun"};
    std::vector<int> days;
    for (const std::string& name : lowered(pointer)) {
      const auto found = std::find(kNames.begin(), kNames.end(), name.substr(0, 3));
      if (found == kNames.end() || (name.size() != 3 && name.size() < 6)) {
        error(pointer, fmt::format("\"{}\" is not a weekday (mon..sun)", name));
      } else {
        days.push_back(static_cast<int>(found - kNames.begin()) + 1);
      }
    }
    return days;
  }

  void read_all_staff(AllStaff& all_staff) {
    if (!object_at("/all_staff", {"addresses", "authorised_senders"})) return;
    all_staff.addresses = lowered("/all_staff/addresses");
    all_staff.authorised_senders = lowered("/all_staff/authorised_senders");
  }

  void read_personal(PersonalMail& personal) {
    if (!object_at("/personal", {"subject_tags", "statement", "footer_markers"})) return;
    if (at("/personal/subject_tags") != nullptr) {
      personal.subject_tags = lowered("/personal/subject_tags");
    }
    personal.statement = text("/personal/statement", personal.statement);
    personal.footer_markers = strings("/personal/footer_markers");
  }

  // A JSON file mapping a login to the further addresses it may send as.
  void read_mailbox_map(std::map<std::string, std::vector<std::string>>& mailboxes) {
    const std::string name = text("/mailbox_map", "");
    if (name.empty()) return;
    const std::filesystem::path path(name);
    SourceFile map;
    const auto full =
        path.is_absolute() ? path : std::filesystem::path(file().path).parent_path() / path;
    if (!read_json_file(full.string(), map, sink())) return;
    if (!map.json.is_object()) {
      sink().error(map, "", "", "a mailbox map is an object: login -> [addresses]");
      return;
    }
    for (const auto& [login, addresses] : map.json.items()) {
      if (!addresses.is_array() ||
          !std::all_of(addresses.begin(), addresses.end(), [](auto& a) { return a.is_string(); })) {
        sink().error(map, "/" + login, "", "must be an array of addresses");
        continue;
      }
      auto& owned = mailboxes[to_lower_ascii(login)];
      for (const Json& address : addresses)
        owned.push_back(to_lower_ascii(address.get<std::string>()));
    }
  }

  // RFC 5322 field names: printable ASCII without ':'. Empty would match every field.
  static bool valid_field_name_prefix(const std::string& prefix) {
    return !prefix.empty() && std::all_of(prefix.begin(), prefix.end(),
                                          [](char c) { return c > ' ' && c < 0x7F && c != ':'; });
  }

  // The limit sits in the daemon's section, where administrators set it, but the verdict on
  // a message over it is the engine's, so that `aupctl check` answers as the daemon does. The
  // daemon's reader reports the section's unknown keys.
  void read_size_limit(SizeLimit& size_limit) {
    const Json* daemon = at("/daemon");
    if (daemon == nullptr || !daemon->is_object()) return;
    number<size_t>("/daemon/max_message_bytes", size_limit.max_message_bytes, 1024);
    if (object_at("/daemon/over_limit", {"action", "policy_ref", "reply_code", "reply"})) {
      read_over_limit(file(), "/daemon/over_limit", sink(), size_limit.over_limit);
    }
  }

  void read_footer(FooterSettings& footer) {
    if (!object_at("/footer", {"enabled", "text", "html", "marker", "when_signed"})) return;
    boolean("/footer/enabled", footer.enabled);
    footer.text = text("/footer/text", footer.text);
    footer.html = text("/footer/html", footer.html);
    footer.marker = text("/footer/marker", footer.marker);
    const std::string when_signed = text("/footer/when_signed", "leave");
    if (when_signed != "leave" && when_signed != "tag") {
      error("/footer/when_signed", fmt::format("\"{}\" is not \"leave\" or \"tag\"", when_signed));
    }
    footer.tag_when_omitted = when_signed == "tag";
    for (const std::string* value : {&footer.text, &footer.html}) {
      size_t start = 0;
      for (size_t end = value->find('\n'); start <= value->size();
           start = end + 1, end = value->find('\n', start)) {
        if ((end == std::string::npos ? value->size() : end) - start > 900) {
          error(value == &footer.text ? "/footer/text" : "/footer/html",
                "a line longer than 900 characters (mail allows 998 octets a line)");
          break;
        }
        if (end == std::string::npos) break;
      }
    }
    if (footer.enabled && footer.text.empty()) {
      error("/footer/text", "an enabled footer needs its text");
    }
    if (footer.marker.empty()) footer.marker = footer.text.substr(0, footer.text.find('\n'));
  }

  void read_limits(Settings& settings) {
    const Json* limits = at("/limits");
    if (limits == nullptr) return;
    if (!limits->is_object()) {
      error("/limits", "must be an object");
      return;
    }
    report_unknown_keys(
        file(), *limits, "/limits", "",
        {"regex_match_limit", "regex_depth_limit", "regex_heap_limit_kib", "mime_max_depth",
         "mime_max_parts", "mime_max_header_fields", "mime_max_header_bytes", "mime_max_line_bytes",
         "max_text_bytes", "max_attachment_bytes", "evaluation_budget_ms", "matching_budget_ms",
         "archive_max_depth", "archive_max_members", "archive_max_total_bytes",
         "archive_max_ratio"},
        sink());
    number<uint32_t>("/limits/regex_match_limit", settings.regex.match_limit, 1);
    number<uint32_t>("/limits/regex_depth_limit", settings.regex.depth_limit, 1);
    number<uint32_t>("/limits/regex_heap_limit_kib", settings.regex.heap_limit_kib, 1);
    number<size_t>("/limits/mime_max_depth", settings.mime.max_depth, 1);
    number<size_t>("/limits/mime_max_parts", settings.mime.max_parts, 1);
    number<size_t>("/limits/mime_max_header_fields", settings.mime.max_header_fields, 1);
    number<size_t>("/limits/mime_max_header_bytes", settings.mime.max_header_bytes, 1);
    number<size_t>("/limits/mime_max_line_bytes", settings.mime.max_line_bytes, 1);
    number<size_t>("/limits/max_text_bytes", settings.mime.max_text_bytes, 1);
    number<size_t>("/limits/max_attachment_bytes", settings.mime.max_attachment_bytes, 1);
    number<size_t>("/limits/archive_max_depth", settings.inspect.max_depth, 0);
    number<size_t>("/limits/archive_max_members", settings.inspect.max_members, 1);
    number<size_t>("/limits/archive_max_total_bytes", settings.inspect.max_total_bytes, 1);
    number<size_t>("/limits/archive_max_ratio", settings.inspect.max_ratio, 1);
    auto budget = static_cast<uint32_t>(settings.evaluation_budget.count());
    number<uint32_t>("/limits/evaluation_budget_ms", budget, 1);
    settings.evaluation_budget = std::chrono::milliseconds(budget);
    auto matching = static_cast<uint32_t>(settings.regex.message_budget.count());
    number<uint32_t>("/limits/matching_budget_ms", matching, 1);
    settings.regex.message_budget = std::chrono::milliseconds(matching);
  }
};

}  // namespace

Settings load_settings(const SourceFile& config, DiagnosticSink& sink) {
  return SettingsReader(config, sink).read();
}

}  // namespace aup
