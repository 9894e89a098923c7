// The immutable, compiled policy: settings plus rules. Built once, shared by every evaluation.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/actions.hpp"
#include "engine/checks.hpp"
#include "engine/prefilter.hpp"
#include "engine/regex.hpp"
#include "engine/settings.hpp"

namespace aup {

enum class ScopeKind {
  subject,
  header,
  body,
  attachment_name,
  attachment_type,
  envelope_sender,
  envelope_rcpt,
  from
};

struct Scope {
  ScopeKind kind = ScopeKind::body;
  std::string header_name;  // for ScopeKind::header
  std::string name;         // as written in the rule file: "header:X-Mailer"
};

enum class AppliesTo { any, outbound, internal };

struct RuleExamples {
  std::vector<nlohmann::json> match;  // strings (scope values) or message objects
  std::vector<nlohmann::json> no_match;
};

struct Rule {
  std::string id;
  std::string description;
  std::string policy_ref;
  Action action = Action::tag;
  Mode mode = Mode::enforce;
  AppliesTo applies_to = AppliesTo::any;
  std::optional<std::string> reply;
  std::string reply_code = "550";  // reject reply codes, "reply_code": "552 5.3.4"
  std::string reply_xcode = "5.7.1";
  std::vector<Scope> scopes;  // with `pattern`: where it looks, in order
  std::shared_ptr<const Regex> pattern;
  std::shared_ptr<const Check> check;  // or a built-in check
  std::string check_name;
  RuleExamples examples;
  std::string file;  // where it was defined, for messages
  int line = 0;
  int column = 0;  // 1-based like line; 0 with line 0 (position unknown)
};

struct Policy {
  Settings settings;
  std::vector<Rule> rules;
  // Rules out pattern rules that cannot match a text before PCRE2 runs; null: every one runs.
  std::shared_ptr<const Prefilter> prefilter;
  // False: neither the rules' prefilter nor the built-in checks' run (for comparing).
  bool prefilters_enabled = true;
  std::string config_path;
  std::vector<std::string> rule_files;
};

}  // namespace aup
