// Example runner. String examples are scope values matched by the rule's pattern; object
// examples are whole messages composed with GMime and evaluated by the real engine.
#include "engine/rule_examples.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "engine/evaluate.hpp"
#include "engine/rfc3339.hpp"
#include "engine/scopes.hpp"
#include "mime/compose.hpp"

namespace aup {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kDefaultTime = "2026-01-07T12:00:00Z";
constexpr std::array<std::string_view, 8> kStringKeys = {
    "subject", "from", "text", "html", "sender", "auth_user", "client_ip", "time"};
constexpr std::array<std::string_view, 3> kListKeys = {"to", "cc", "rcpt"};

bool is_string_list(const Json& value) {
  return value.is_array() &&
         std::all_of(value.begin(), value.end(), [](const Json& v) { return v.is_string(); });
}

std::vector<std::string> string_list(const Json& example, const char* key) {
  const auto found = example.find(key);
  return found != example.end() ? found->get<std::vector<std::string>>()
                                : std::vector<std::string>{};
}

std::vector<std::string> attachment_problems(const Json& list) {
  if (!list.is_array()) return {"\"attachments\" must be an array"};
  std::vector<std::string> problems;
  for (const Json& item : list) {
    const bool ok = item.is_object() && std::all_of(item.begin(), item.end(),
                                                    [](const Json& v) { return v.is_string(); });
    if (!ok) problems.push_back("an attachment is an object of strings: name, type, content");
    if (!ok) continue;
    for (const auto& [key, value] : item.items()) {
      if (key != "name" && key != "type" && key != "content") {
        problems.push_back(fmt::format("unknown attachment key \"{}\"", key));
      }
    }
  }
  return problems;
}

mime::Draft draft_of(const Json& example, const std::string& default_sender) {
  mime::Draft draft;
  draft.from = example.value("from", example.value("sender", default_sender));
  draft.to = string_list(example, "to");
  if (draft.to.empty() && !example.contains("rcpt")) draft.to = {"someone@example.org"};
  draft.cc = string_list(example, "cc");
  draft.subject = example.value("subject", "Example");
  draft.text = example.value("text", "");
  draft.html = example.value("html", "");
  if (const auto headers = example.find("headers"); headers != example.end()) {
    for (const auto& [name, value] : headers->items()) {
      draft.headers.emplace_back(name, value.get<std::string>());
    }
  }
  if (const auto list = example.find("attachments"); list != example.end()) {
    for (const Json& item : *list) {
      draft.attachments.push_back({item.value("name", ""),
                                   item.value("type", "application/octet-stream"),
                                   item.value("content", "")});
    }
  }
  return draft;
}

std::string shorten(std::string text) {
  if (text.size() > 70) text = text.substr(0, 67) + "...";
  return text;
}

bool rule_matched(const Verdict& verdict, const Rule& rule) {
  return std::any_of(verdict.matches.begin(), verdict.matches.end(),
                     [&](const Match& match) { return match.rule == rule.id; });
}

// nullopt when the example behaved as expected, else why not.
std::optional<std::string> check_example(const Policy& policy, const Services& services,
                                         const Rule& rule, const Json& example, bool expect_match) {
  bool matched = false;
  if (example.is_string()) {
    MatchScratch scratch(policy.settings.regex);  // each example has a message's budget
    const MatchResult result = rule.pattern->search(example.get<std::string>(), scratch);
    if (result.outcome == MatchOutcome::limit_exceeded || result.outcome == MatchOutcome::error) {
      return "the pattern hit a PCRE2 limit on this example: " + result.error;
    }
    matched = result.outcome == MatchOutcome::match;
  } else {
    const Verdict verdict = evaluate(policy, example_message(example, policy.settings), services);
    matched = rule_matched(verdict, rule);
    if (!matched && expect_match && verdict.direction == Direction::inbound) {
      return "the example message is inbound, so no rule applies (give a sender or auth_user)";
    }
  }
  if (matched == expect_match) return std::nullopt;
  return expect_match ? "expected to match, did not" : "expected not to match, matched";
}

void run_list(const Policy& policy, const Services& services, const Rule& rule,
              const std::vector<Json>& examples, bool expect_match, ExampleReport& report) {
  for (size_t i = 0; i < examples.size(); ++i) {
    ++report.run;
    auto problem = check_example(policy, services, rule, examples[i], expect_match);
    if (problem) {
      const std::string shown =
          examples[i].is_string() ? examples[i].get<std::string>() : examples[i].dump();
      report.failures.push_back({&rule, expect_match, i, shorten(shown), std::move(*problem)});
    }
  }
}

}  // namespace

std::vector<std::string> example_object_problems(const Json& example) {
  std::vector<std::string> problems;
  for (const auto& [key, value] : example.items()) {
    const auto is = [&key = key](const auto& keys) {
      return std::find(keys.begin(), keys.end(), key) != keys.end();
    };
    if (is(kStringKeys)) {
      if (!value.is_string()) problems.push_back(fmt::format("\"{}\" must be a string", key));
    } else if (is(kListKeys)) {
      if (!is_string_list(value)) {
        problems.push_back(fmt::format("\"{}\" must be an array of strings", key));
      }
    } else if (key == "headers") {
      const bool ok = value.is_object() && std::all_of(value.begin(), value.end(),
                                                       [](auto& v) { return v.is_string(); });
      if (!ok) problems.push_back("\"headers\" must be an object of strings");
    } else if (key == "attachments") {
      for (std::string& problem : attachment_problems(value))
        problems.push_back(problem);
    } else {
      problems.push_back(fmt::format("unknown example key \"{}\"", key));
    }
  }
  if (example.contains("time") && !parse_rfc3339(example["time"].get<std::string>())) {
    problems.push_back("\"time\" is not an RFC 3339 timestamp");
  }
  return problems;
}

Message example_message(const Json& example, const Settings& settings) {
  const std::string domain =
      settings.internal_domains.empty() ? "example.com" : settings.internal_domains.front();
  Message message;
  message.raw = mime::compose_message(draft_of(example, "staff@" + domain));
  if (example.contains("sender")) message.envelope.sender = example["sender"].get<std::string>();
  message.envelope.recipients = string_list(example, "rcpt");
  if (example.contains("auth_user")) {
    message.envelope.auth_user = example["auth_user"].get<std::string>();
  }
  if (example.contains("client_ip")) {
    message.envelope.client_ip = example["client_ip"].get<std::string>();
  }
  message.envelope.time = parse_rfc3339(example.value("time", std::string(kDefaultTime)))
                              .value_or(std::chrono::system_clock::now());
  return message;
}

ExampleReport run_examples(const Policy& policy) {
  ExampleReport report;
  const LocalServices services;  // examples are run in order, on this thread
  for (const Rule& rule : policy.rules) {
    run_list(policy, services.get(), rule, rule.examples.match, true, report);
    run_list(policy, services.get(), rule, rule.examples.no_match, false, report);
  }
  return report;
}

namespace {

Diagnostic cost_warning(const Rule& rule, std::string message) {
  Diagnostic warning;
  warning.severity = Diagnostic::Severity::warning;
  warning.file = rule.file;
  warning.line = rule.line;
  warning.column = rule.column;  // columns are 1-based: a 0 here printed as "file:3:0"
  warning.rule_id = rule.id;
  warning.message = std::move(message);
  return warning;
}

// A string example is one scope value: time the pattern on it alone, with a message's budget.
std::optional<std::string> string_example_cost(const Policy& policy, const Rule& rule,
                                               const std::string& example) {
  MatchScratch scratch(policy.settings.regex);
  const MatchResult result = rule.pattern->search(example, scratch);
  if (result.outcome == MatchOutcome::limit_exceeded || result.outcome == MatchOutcome::error)
    return "the pattern hit its limits: " + result.error;
  const auto budget = policy.settings.regex.message_budget;
  if (scratch.spent() * 4 > budget) {
    return fmt::format("the pattern took {:.1f} ms, over a quarter of a message's {} ms budget",
                       std::chrono::duration<double, std::milli>(scratch.spent()).count(),
                       budget.count());
  }
  return std::nullopt;
}

// A message example: the rule's own match says whether one of its patterns hit its limits.
// (A budget spent by the rules before it is theirs, not this rule's.)
std::optional<std::string> message_example_cost(const Policy& policy, const Services& services,
                                                const Rule& rule, const Json& example) {
  const Verdict verdict = evaluate(policy, example_message(example, policy.settings), services);
  for (const Match& match : verdict.matches) {
    const bool limited = match.detail.find("could not be evaluated") != std::string::npos &&
                         match.detail.find("budget") == std::string::npos;
    if (match.rule == rule.id && limited) return match.detail;
  }
  return std::nullopt;
}

void cost_of_list(const Policy& policy, const Services& services, const Rule& rule,
                  const std::vector<Json>& examples, const char* list,
                  std::vector<Diagnostic>& out) {
  for (size_t i = 0; i < examples.size(); ++i) {
    const Json& example = examples[i];
    const auto problem = example.is_string() && rule.pattern
                             ? string_example_cost(policy, rule, example.get<std::string>())
                             : message_example_cost(policy, services, rule, example);
    if (problem) {
      out.push_back(cost_warning(
          rule, fmt::format("on its own {} example {}: {}; on a message like it, the rule gives "
                            "the on_regex_limit action",
                            list, i, *problem)));
    }
  }
}

}  // namespace

std::vector<Diagnostic> example_cost_warnings(const Policy& policy) {
  std::vector<Diagnostic> warnings;
  const LocalServices services;
  for (const Rule& rule : policy.rules) {
    cost_of_list(policy, services.get(), rule, rule.examples.match, "match", warnings);
    cost_of_list(policy, services.get(), rule, rule.examples.no_match, "no_match", warnings);
  }
  return warnings;
}

}  // namespace aup
