// The loader: configuration file -> settings + rule files -> compiled rules.
#include "engine/policy_loader.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <set>

#include "engine/reply.hpp"
#include "engine/rule_examples.hpp"
#include "engine/scopes.hpp"
#include "engine/settings_loader.hpp"

namespace aup {
namespace {

using Json = nlohmann::json;

bool valid_rule_id(const std::string& id) {
  return !id.empty() && id.size() <= 128 &&
         id.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
             std::string::npos;
}

class RuleReader {
 public:
  RuleReader(const SourceFile& file, DiagnosticSink& sink, std::set<std::string>& ids)
      : file_(file), sink_(sink), ids_(ids) {}

  void read_all(std::vector<Rule>& rules) {
    const Json& root = file_.json;
    if (!root.is_object() || !root.contains("rules") || !root["rules"].is_array()) {
      sink_.error(file_, "", "", "a rule file is an object with a \"rules\" array");
      return;
    }
    report_unknown_keys(file_, root, "", "", {"rules", "description"}, sink_);
    const Json& list = root["rules"];
    for (size_t i = 0; i < list.size(); ++i) {
      if (auto rule = read_rule(list[i], fmt::format("/rules/{}", i))) {
        rules.push_back(std::move(*rule));
      }
    }
  }

 private:
  std::optional<Rule> read_rule(const Json& object, const std::string& at) {
    if (!object.is_object()) {
      sink_.error(file_, at, "", "a rule must be an object");
      return std::nullopt;
    }
    const size_t errors_before = sink_.error_count();
    Rule rule;
    rule.file = file_.path;
    const auto position = file_.positions.find(at);
    if (position != file_.positions.end()) {
      rule.line = position->second.line;
      rule.column = position->second.column;
    }
    read_identity(object, at, rule);
    report_unknown_keys(file_, object, at, rule.id,
                        {"id", "description", "policy_ref", "scope", "pattern", "check", "params",
                         "action", "mode", "reply", "reply_code", "examples", "applies_to"},
                        sink_);
    read_outcome(object, at, rule);
    read_condition(object, at, rule);
    read_examples(object, at, rule);
    if (sink_.error_count() != errors_before) return std::nullopt;
    return rule;
  }

  const std::string* string_field(const Json& object, const std::string& at, const char* key,
                                  const std::string& rule_id, bool required) {
    const auto found = object.find(key);
    if (found == object.end()) {
      if (required) sink_.error(file_, at, rule_id, fmt::format("missing \"{}\"", key));
      return nullptr;
    }
    if (!found->is_string()) {
      sink_.error(file_, at + "/" + key, rule_id, fmt::format("\"{}\" must be a string", key));
      return nullptr;
    }
    return found->get_ptr<const std::string*>();
  }

  void read_identity(const Json& object, const std::string& at, Rule& rule) {
    if (const auto* id = string_field(object, at, "id", "", true)) {
      rule.id = *id;
      if (!valid_rule_id(rule.id)) {
        sink_.error(file_, at + "/id", rule.id,
                    "an id uses only letters, digits, '.', '_' and '-' (at most 128)");
      } else if (!ids_.insert(rule.id).second) {
        sink_.error(file_, at + "/id", rule.id, "duplicate rule id");
      }
    }
    if (const auto* text = string_field(object, at, "description", rule.id, true)) {
      rule.description = *text;
    }
    if (const auto* ref = string_field(object, at, "policy_ref", rule.id, true)) {
      rule.policy_ref = *ref;
      if (!valid_policy_ref(rule.policy_ref)) {
        sink_.error(file_, at + "/policy_ref", rule.id,
                    fmt::format("\"{}\" is not a clause number such as \"4.7.1\"", *ref));
      }
    }
  }

  void read_outcome(const Json& object, const std::string& at, Rule& rule) {
    if (const auto* name = string_field(object, at, "action", rule.id, true)) {
      const auto action = parse_action(*name);
      if (!action) {
        sink_.error(
            file_, at + "/action", rule.id,
            fmt::format("\"{}\" is not one of: accept, tag, quarantine, reject, tempfail", *name));
      } else {
        rule.action = *action;
      }
    }
    if (const auto* name = string_field(object, at, "mode", rule.id, false)) {
      const auto mode = parse_mode(*name);
      if (!mode) {
        sink_.error(file_, at + "/mode", rule.id, "mode is \"enforce\" or \"monitor\"");
      } else {
        rule.mode = *mode;
      }
    }
    if (const auto* name = string_field(object, at, "applies_to", rule.id, false)) {
      if (*name == "outbound") {
        rule.applies_to = AppliesTo::outbound;
      } else if (*name == "internal") {
        rule.applies_to = AppliesTo::internal;
      } else if (*name != "any") {
        sink_.error(file_, at + "/applies_to", rule.id,
                    "applies_to is \"any\", \"outbound\" or \"internal\"");
      }
    }
    if (const auto* code = string_field(object, at, "reply_code", rule.id, false)) {
      if (!valid_reject_code(*code)) {
        sink_.error(
            file_, at + "/reply_code", rule.id,
            fmt::format("\"{}\" is not a permanent reply code such as \"552 5.3.4\"", *code));
      } else {
        rule.reply_code = code->substr(0, 3);
        rule.reply_xcode = code->substr(4);
      }
    }
    if (const auto* reply = string_field(object, at, "reply", rule.id, false)) {
      if (auto problem = reply_text_problem(*reply)) {
        sink_.error(file_, at + "/reply", rule.id, *problem);
      }
      rule.reply = *reply;
      if (rule.action != Action::reject) {
        sink_.warning(file_, at + "/reply", rule.id,
                      "reply is only used when the action is reject");
      }
    }
  }

  void read_condition(const Json& object, const std::string& at, Rule& rule) {
    const bool has_pattern = object.contains("pattern") || object.contains("scope");
    const bool has_check = object.contains("check");
    if (has_pattern == has_check) {
      sink_.error(file_, at, rule.id,
                  "a rule has either \"scope\" with \"pattern\", or \"check\" (with \"params\")");
      return;
    }
    if (has_check) {
      read_check(object, at, rule);
    } else {
      read_pattern(object, at, rule);
    }
  }

  void read_check(const Json& object, const std::string& at, Rule& rule) {
    const auto* name = string_field(object, at, "check", rule.id, true);
    if (name == nullptr) return;
    rule.check_name = *name;
    const Json params = object.value("params", Json::object());
    std::vector<std::string> problems;
    const std::string base_dir = std::filesystem::path(file_.path).parent_path().string();
    rule.check = make_check(*name, CheckParams{params, base_dir, problems});
    const std::string where = object.contains("params") ? at + "/params" : at + "/check";
    for (std::string& problem : problems) {
      if (problem.starts_with("unknown check")) {
        problem += fmt::format(" (known: {})", fmt::join(check_names(), ", "));
      }
      sink_.error(file_, where, rule.id, problem);
    }
  }

  void read_pattern(const Json& object, const std::string& at, Rule& rule) {
    if (object.contains("params")) {
      sink_.error(file_, at + "/params", rule.id, "\"params\" belongs to a \"check\"");
    }
    read_scopes(object, at, rule);
    const auto* pattern = string_field(object, at, "pattern", rule.id, true);
    if (pattern == nullptr) return;
    RegexError error;
    rule.pattern = Regex::compile(*pattern, error);
    if (!rule.pattern) {
      sink_.error(file_, at + "/pattern", rule.id,
                  fmt::format("regex error at offset {}: {}", error.offset, error.message));
    }
  }

  // "scope" is one scope name or an array of them.
  void read_scopes(const Json& object, const std::string& at, Rule& rule) {
    const auto found = object.find("scope");
    if (found == object.end()) {
      sink_.error(file_, at, rule.id, "missing \"scope\"");
      return;
    }
    const Json names = found->is_array() ? *found : Json::array({*found});
    if (names.empty()) sink_.error(file_, at + "/scope", rule.id, "\"scope\" is empty");
    for (size_t i = 0; i < names.size(); ++i) {
      const std::string where =
          found->is_array() ? fmt::format("{}/scope/{}", at, i) : at + "/scope";
      const auto scope =
          names[i].is_string() ? parse_scope(names[i].get<std::string>()) : std::nullopt;
      if (scope) {
        rule.scopes.push_back(*scope);
      } else {
        sink_.error(file_, where, rule.id,
                    fmt::format("unknown scope {} (known: {})", names[i].dump(),
                                fmt::join(scope_names(), ", ")));
      }
    }
  }

  void read_examples(const Json& object, const std::string& at, Rule& rule) {
    const auto found = object.find("examples");
    if (found == object.end()) {
      sink_.warning(file_, at, rule.id, "no examples: `aupctl rules test` cannot check this rule");
      return;
    }
    if (!found->is_object()) {
      sink_.error(file_, at + "/examples", rule.id,
                  "examples is an object with \"match\" and \"no_match\" arrays");
      return;
    }
    report_unknown_keys(file_, *found, at + "/examples", rule.id, {"match", "no_match"}, sink_);
    read_example_list(*found, at + "/examples", "match", rule, rule.examples.match);
    read_example_list(*found, at + "/examples", "no_match", rule, rule.examples.no_match);
  }

  void read_example_list(const Json& examples, const std::string& at, const char* key,
                         const Rule& rule, std::vector<Json>& out) {
    const auto found = examples.find(key);
    if (found == examples.end()) return;
    const std::string list_at = at + "/" + key;
    if (!found->is_array()) {
      sink_.error(file_, list_at, rule.id, fmt::format("\"{}\" must be an array", key));
      return;
    }
    for (size_t i = 0; i < found->size(); ++i) {
      const Json& example = (*found)[i];
      if (example.is_object()) {
        for (const std::string& problem : example_object_problems(example)) {
          sink_.error(file_, fmt::format("{}/{}", list_at, i), rule.id, problem);
        }
        out.push_back(example);
      } else if (example.is_string() && rule.check_name.empty()) {
        out.push_back(example);
      } else {
        sink_.error(file_, fmt::format("{}/{}", list_at, i), rule.id,
                    rule.check_name.empty() ? "an example is a string or a message object"
                                            : "an example of a check rule is a message object");
      }
    }
  }

  const SourceFile& file_;
  DiagnosticSink& sink_;
  std::set<std::string>& ids_;
};

std::vector<std::string> rule_file_paths(const SourceFile& config, DiagnosticSink& sink) {
  std::vector<std::string> paths;
  const auto found = config.json.find("rule_files");
  if (found == config.json.end() || !found->is_array() || found->empty()) {
    sink.error(config, "/rule_files", "", "\"rule_files\" must list at least one rule file");
    return paths;
  }
  const auto base = std::filesystem::path(config.path).parent_path();
  for (size_t i = 0; i < found->size(); ++i) {
    if (!(*found)[i].is_string()) {
      sink.error(config, fmt::format("/rule_files/{}", i), "", "must be a file name");
      continue;
    }
    const std::filesystem::path path((*found)[i].get<std::string>());
    paths.push_back((path.is_absolute() ? path : base / path).lexically_normal().string());
  }
  return paths;
}

void load_into(const std::string& config_path, Policy& policy, LoadResult& result,
               DiagnosticSink& sink) {
  auto read = std::make_shared<SourceFile>();
  if (!read_json_file(config_path, *read, sink)) return;
  const SourceFile& config = *read;
  if (!config.json.is_object()) {
    sink.error(config, "", "", "the configuration must be a JSON object");
    return;
  }
  result.config = std::move(read);
  policy.config_path = config_path;
  policy.settings = load_settings(config, sink);
  policy.rule_files = rule_file_paths(config, sink);
  std::set<std::string> ids;
  for (const std::string& path : policy.rule_files) {
    SourceFile file;
    if (read_json_file(path, file, sink)) RuleReader(file, sink, ids).read_all(policy.rules);
  }
}

}  // namespace

namespace {

// Null when it cannot be built (Vectorscan refused, or memory ran out): every pattern then
// runs on every value, which is slower but gives the same verdicts.
std::shared_ptr<const Prefilter> build_prefilter(const std::vector<Rule>& rules) noexcept {
  try {
    std::vector<std::string_view> patterns;
    for (const Rule& rule : rules)
      patterns.push_back(rule.pattern ? std::string_view(rule.pattern->pattern()) : "");
    return Prefilter::build(patterns);
  } catch (...) {
    return nullptr;
  }
}

}  // namespace

LoadResult load_policy(const std::string& config_path) {
  LoadResult result;
  DiagnosticSink sink(result.diagnostics);
  auto policy = std::make_shared<Policy>();
  try {
    load_into(config_path, *policy, result, sink);
  } catch (const std::exception& error) {
    sink.add({Diagnostic::Severity::error, config_path, 0, 0, "", "",
              std::string("cannot load: ") + error.what()});
  }
  if (sink.error_count() != 0) return result;
  policy->prefilter = build_prefilter(policy->rules);
  result.policy = std::move(policy);
  return result;
}

std::shared_ptr<const Policy> without_prefilter(const Policy& policy) {
  auto copy = std::make_shared<Policy>(policy);
  copy->prefilter = nullptr;
  copy->prefilters_enabled = false;
  return copy;
}

}  // namespace aup
