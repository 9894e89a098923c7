// Loads the configuration and its rule files into an immutable Policy, reporting every
// problem at once (file, line, JSON pointer, rule id, PCRE2 message and offset).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/diagnostics.hpp"
#include "engine/policy.hpp"

namespace aup {

struct LoadResult {
  std::shared_ptr<const Policy> policy;  // null when there was any error
  std::vector<Diagnostic> diagnostics;   // errors and warnings, in file order
};

LoadResult load_policy(const std::string& config_path);

// The same policy matching every pattern rule with PCRE2 alone: for comparing and measuring.
std::shared_ptr<const Policy> without_prefilter(const Policy& policy);

}  // namespace aup
