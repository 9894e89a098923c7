// `aupctl rules lint` and `aupctl rules test`: the rule author's feedback loop.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "cli/commands.hpp"
#include "daemon/daemon_settings.hpp"
#include "engine/policy_loader.hpp"
#include "engine/rule_examples.hpp"
#include "quarantine/quarantine_settings.hpp"
#include "scan/clamd_settings.hpp"
#include "web/web_settings.hpp"

namespace aup::cli {
namespace {

size_t count(const std::vector<Diagnostic>& diagnostics, Diagnostic::Severity severity) {
  return static_cast<size_t>(
      std::count_if(diagnostics.begin(), diagnostics.end(),
                    [&](const Diagnostic& d) { return d.severity == severity; }));
}

}  // namespace

int run_rules_lint(const std::string& config) {
  LoadResult loaded = load_policy(config);
  // The front ends' sections too: a mistake there stops the daemon or the pages, not a rule.
  read_front_end(loaded, read_daemon_settings);
  read_front_end(loaded, read_clamd_settings);
  read_front_end(loaded, read_quarantine_settings);
  read_front_end(loaded, read_web_settings);
  if (loaded.policy) {
    for (Diagnostic& warning : example_cost_warnings(*loaded.policy))
      loaded.diagnostics.push_back(std::move(warning));
  }
  for (const Diagnostic& d : loaded.diagnostics)
    std::cout << format_diagnostic(d) << "\n";
  const size_t errors = count(loaded.diagnostics, Diagnostic::Severity::error);
  const size_t warnings = count(loaded.diagnostics, Diagnostic::Severity::warning);
  if (loaded.policy) {
    std::cout << fmt::format("{}: {} rules in {} files, {} errors, {} warnings\n", config,
                             loaded.policy->rules.size(), loaded.policy->rule_files.size(), errors,
                             warnings);
  } else {
    std::cout << fmt::format("{}: {} errors, {} warnings\n", config, errors, warnings);
  }
  return errors == 0 ? kExitOk : kExitConfig;
}

int run_rules_test(const std::string& config) {
  const LoadResult loaded = load_policy(config);
  if (!loaded.policy) {
    for (const Diagnostic& d : loaded.diagnostics) {
      if (d.severity == Diagnostic::Severity::error) std::cerr << format_diagnostic(d) << "\n";
    }
    return kExitConfig;
  }
  const ExampleReport report = run_examples(*loaded.policy);
  for (const ExampleFailure& failure : report.failures) {
    std::cout << fmt::format("{}:{}: rule '{}': {} example {} {}: {}\n", failure.rule->file,
                             failure.rule->line, failure.rule->id,
                             failure.expected_match ? "match" : "no_match", failure.index,
                             failure.example, failure.reason);
  }
  std::cout << fmt::format("rules test: {} examples run, {} as expected, {} not\n", report.run,
                           report.run - report.failures.size(), report.failures.size());
  return report.failures.empty() ? kExitOk : kExitFailed;
}

}  // namespace aup::cli
