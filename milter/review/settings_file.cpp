// Reads and checks the settings part of a configuration file.
#include "review/settings_file.hpp"

#include <iostream>

#include "engine/settings_loader.hpp"

namespace aup::review {

std::optional<ReviewConfig> read_review_config(const std::string& config,
                                               const SectionReader& more) {
  std::vector<Diagnostic> diagnostics;
  DiagnosticSink sink(diagnostics);
  SourceFile file;
  const bool read = read_json_file(config, file, sink);
  ReviewConfig out;
  if (read) {
    out.settings = load_settings(file, sink);
    out.quarantine = read_quarantine_settings(file, sink);
    if (more) more(file, sink);
  }
  if (!read || sink.error_count() > 0) {
    for (const Diagnostic& d : diagnostics)
      std::cerr << format_diagnostic(d) << "\n";
    return std::nullopt;
  }
  return out;
}

}  // namespace aup::review
