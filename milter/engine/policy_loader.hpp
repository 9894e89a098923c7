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
  // The configuration file as read (null if it could not be): the front ends read their own
  // sections from it (read_front_end), so that policy and sections come from one reading.
  std::shared_ptr<const SourceFile> config;
};

LoadResult load_policy(const std::string& config_path);

// Reads a front end's section of the loaded configuration with `read` (such as
// read_quarantine_settings), adding its problems to the load's; an error there drops the
// policy, as one in the engine's sections would.
template <typename Section>
Section read_front_end(LoadResult& loaded, Section (*read)(const SourceFile&, DiagnosticSink&)) {
  DiagnosticSink sink(loaded.diagnostics);
  if (!loaded.config) return Section{};
  auto section = read(*loaded.config, sink);
  if (sink.error_count() > 0) loaded.policy = nullptr;
  return section;
}

// The same policy matching every pattern rule with PCRE2 alone: for comparing and measuring.
std::shared_ptr<const Policy> without_prefilter(const Policy& policy);

}  // namespace aup
