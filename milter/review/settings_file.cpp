// Reads and checks the settings part of a configuration file.
#include "review/settings_file.hpp"

#include <iostream>

#include "engine/settings_loader.hpp"

namespace aup::review {

std::optional<Settings> read_settings(const std::string& config) {
  std::vector<Diagnostic> diagnostics;
  DiagnosticSink sink(diagnostics);
  SourceFile file;
  const bool read = read_json_file(config, file, sink);
  std::optional<Settings> settings;
  if (read) settings = load_settings(file, sink);
  if (!read || sink.error_count() > 0) {
    for (const Diagnostic& d : diagnostics)
      std::cerr << format_diagnostic(d) << "\n";
    return std::nullopt;
  }
  return settings;
}

}  // namespace aup::review
