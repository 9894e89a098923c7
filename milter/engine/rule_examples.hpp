// Rule examples: the must-match and must-not-match cases that `aupctl rules test` runs.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "engine/diagnostics.hpp"
#include "engine/message.hpp"
#include "engine/policy.hpp"

namespace aup {

struct ExampleFailure {
  const Rule* rule = nullptr;
  bool expected_match = true;
  size_t index = 0;     // position in the rule's match or no_match list
  std::string example;  // short rendering of the example
  std::string reason;
};

struct ExampleReport {
  size_t run = 0;
  std::vector<ExampleFailure> failures;
};

// Problems with an example message object (unknown keys, wrong types); empty when valid.
std::vector<std::string> example_object_problems(const nlohmann::json& example);

// Builds the message an example object describes. Unset envelope parts get defaults that
// make it staff mail to an outside recipient: sender staff@<first internal domain>,
// recipient someone@example.org, time Wednesday 2026-01-07 12:00 UTC.
Message example_message(const nlohmann::json& example, const Settings& settings);

// Runs every example of every rule through the engine exactly as production would.
ExampleReport run_examples(const Policy& policy);

// Warnings for rules whose patterns hit their PCRE2 limits on their own examples, or take over
// a quarter of a message's matching budget on one: such a rule quarantines (on_regex_limit)
// ordinary mail like its examples. For `aupctl rules lint`.
std::vector<Diagnostic> example_cost_warnings(const Policy& policy);

}  // namespace aup
