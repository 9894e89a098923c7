// Settings: each key validated with a message that names it; defaults where a key is absent.
#include "engine/settings_loader.hpp"

#include <fmt/format.h>

#include <limits>

namespace aup {
namespace {

using Json = nlohmann::json;

class SettingsReader {
 public:
  SettingsReader(const SourceFile& file, DiagnosticSink& sink) : file_(file), sink_(sink) {}

  Settings read() {
    const Json& root = file_.json;
    report_unknown_keys(
        file_, root, "", "",
        {"organisation", "internal_domains", "internal_networks", "header_prefix", "reply_suffix",
         "recipient_delimiter", "on_internal_error", "on_regex_limit", "limits", "rule_files"},
        sink_);
    Settings settings;
    settings.organisation = text("/organisation", settings.organisation);
    settings.internal_domains = domains("/internal_domains");
    settings.internal_networks = networks("/internal_networks");
    settings.header_prefix = text("/header_prefix", settings.header_prefix);
    settings.reply_suffix = text("/reply_suffix", settings.reply_suffix);
    settings.recipient_delimiter = text("/recipient_delimiter", settings.recipient_delimiter);
    settings.on_internal_error = action("/on_internal_error", settings.on_internal_error,
                                        {Action::tempfail, Action::quarantine, Action::accept});
    settings.on_regex_limit =
        action("/on_regex_limit", settings.on_regex_limit,
               {Action::tempfail, Action::quarantine, Action::tag, Action::accept});
    read_limits(settings);
    return settings;
  }

 private:
  const Json* at(const std::string& pointer) const {
    const Json::json_pointer path(pointer);
    return file_.json.contains(path) ? &file_.json.at(path) : nullptr;
  }

  std::string text(const std::string& pointer, const std::string& fallback) {
    const Json* value = at(pointer);
    if (value == nullptr) return fallback;
    if (value->is_string()) return value->get<std::string>();
    sink_.error(file_, pointer, "", "must be a string");
    return fallback;
  }

  std::vector<std::string> strings(const std::string& pointer) {
    std::vector<std::string> out;
    const Json* value = at(pointer);
    if (value == nullptr) return out;
    if (!value->is_array()) {
      sink_.error(file_, pointer, "", "must be an array of strings");
      return out;
    }
    for (size_t i = 0; i < value->size(); ++i) {
      if ((*value)[i].is_string()) {
        out.push_back((*value)[i].get<std::string>());
      } else {
        sink_.error(file_, fmt::format("{}/{}", pointer, i), "", "must be a string");
      }
    }
    return out;
  }

  std::vector<std::string> domains(const std::string& pointer) {
    std::vector<std::string> out;
    for (std::string& domain : strings(pointer)) {
      domain = to_lower_ascii(domain);
      if (!domain.empty() && domain.front() == '.') domain.erase(0, 1);
      if (domain.empty() || domain.find_first_of(" @/") != std::string::npos) {
        sink_.error(file_, pointer, "", fmt::format("\"{}\" is not a domain", domain));
      } else {
        out.push_back(domain);
      }
    }
    if (out.empty() && sink_.error_count() == 0) {
      sink_.warning(file_, pointer, "",
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
        sink_.error(file_, fmt::format("{}/{}", pointer, i), "",
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
    sink_.error(file_, pointer, "",
                fmt::format("\"{}\" is not one of: {}", name, fmt::join(names, ", ")));
    return fallback;
  }

  template <typename Number>
  void number(const std::string& pointer, Number& target, Number minimum) {
    const Json* value = at(pointer);
    if (value == nullptr) return;
    if (value->is_number_unsigned() && value->get<uint64_t>() >= minimum &&
        value->get<uint64_t>() <= std::numeric_limits<Number>::max()) {
      target = value->get<Number>();
      return;
    }
    sink_.error(file_, pointer, "",
                fmt::format("must be an integer from {} to {}", minimum,
                            std::numeric_limits<Number>::max()));
  }

  void read_limits(Settings& settings) {
    const Json* limits = at("/limits");
    if (limits == nullptr) return;
    if (!limits->is_object()) {
      sink_.error(file_, "/limits", "", "must be an object");
      return;
    }
    report_unknown_keys(
        file_, *limits, "/limits", "",
        {"regex_match_limit", "regex_depth_limit", "regex_heap_limit_kib", "mime_max_depth",
         "mime_max_parts", "max_text_bytes", "max_attachment_bytes"},
        sink_);
    number<uint32_t>("/limits/regex_match_limit", settings.regex.match_limit, 1);
    number<uint32_t>("/limits/regex_depth_limit", settings.regex.depth_limit, 1);
    number<uint32_t>("/limits/regex_heap_limit_kib", settings.regex.heap_limit_kib, 1);
    number<size_t>("/limits/mime_max_depth", settings.mime.max_depth, 1);
    number<size_t>("/limits/mime_max_parts", settings.mime.max_parts, 1);
    number<size_t>("/limits/max_text_bytes", settings.mime.max_text_bytes, 1);
    number<size_t>("/limits/max_attachment_bytes", settings.mime.max_attachment_bytes, 1);
  }

  const SourceFile& file_;
  DiagnosticSink& sink_;
};

}  // namespace

Settings load_settings(const SourceFile& config, DiagnosticSink& sink) {
  return SettingsReader(config, sink).read();
}

}  // namespace aup
