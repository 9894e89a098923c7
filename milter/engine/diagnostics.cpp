// Diagnostic formatting, positions for JSON pointers, and reading JSON files with errors.
#include "engine/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace aup {
namespace {

constexpr size_t kMaxNesting = 64;
constexpr size_t kMaxFileBytes = 64 * 1024 * 1024;

// The nearest recorded position: the value itself, else its closest enclosing value.
TextPosition position_for(const SourceFile& file, std::string pointer) {
  for (;;) {
    const auto found = file.positions.find(pointer);
    if (found != file.positions.end()) return found->second;
    const auto slash = pointer.rfind('/');
    if (slash == std::string::npos) return {};
    pointer.resize(slash);
  }
}

}  // namespace

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = d.file;
  // Columns are 1-based; a diagnostic that knows only its line says so rather than ":0".
  if (d.line > 0) out += fmt::format(":{}", d.line);
  if (d.line > 0 && d.column > 0) out += fmt::format(":{}", d.column);
  out += d.severity == Diagnostic::Severity::error ? ": error: " : ": warning: ";
  if (!d.rule_id.empty()) out += fmt::format("rule '{}' ", d.rule_id);
  if (!d.pointer.empty()) out += fmt::format("({}) ", d.pointer);
  if (!d.rule_id.empty() || !d.pointer.empty()) out.replace(out.size() - 1, 1, ": ");
  return out + d.message;
}

void DiagnosticSink::report(Diagnostic::Severity severity, const SourceFile& file,
                            const std::string& pointer, const std::string& rule_id,
                            std::string message) {
  const TextPosition at = position_for(file, pointer);
  out_.push_back({severity, file.path, at.line, at.column, pointer, rule_id, std::move(message)});
}

void DiagnosticSink::error(const SourceFile& file, const std::string& pointer,
                           const std::string& rule_id, std::string message) {
  report(Diagnostic::Severity::error, file, pointer, rule_id, std::move(message));
}

void DiagnosticSink::warning(const SourceFile& file, const std::string& pointer,
                             const std::string& rule_id, std::string message) {
  report(Diagnostic::Severity::warning, file, pointer, rule_id, std::move(message));
}

size_t DiagnosticSink::error_count() const {
  return static_cast<size_t>(std::count_if(out_.begin(), out_.end(), [](const Diagnostic& d) {
    return d.severity == Diagnostic::Severity::error;
  }));
}

bool read_json_file(const std::string& path, SourceFile& file, DiagnosticSink& sink) {
  file.path = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    sink.add({Diagnostic::Severity::error, path, 0, 0, "", "", "cannot open file"});
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  file.text = buffer.str();
  if (file.text.size() > kMaxFileBytes) {
    sink.add({Diagnostic::Severity::error, path, 0, 0, "", "", "file is larger than 64 MiB"});
    return false;
  }
  if (max_nesting_depth(file.text) > kMaxNesting) {
    sink.add({Diagnostic::Severity::error, path, 1, 1, "", "",
              fmt::format("JSON nests deeper than {} levels", kMaxNesting)});
    return false;
  }
  try {
    file.json = nlohmann::json::parse(file.text);
  } catch (const nlohmann::json::parse_error& error) {
    const TextPosition at = position_of_offset(file.text, error.byte > 0 ? error.byte - 1 : 0);
    std::string message = error.what();
    const auto colon = message.find("syntax error");
    if (colon != std::string::npos) message = message.substr(colon);
    sink.add({Diagnostic::Severity::error, path, at.line, at.column, "", "",
              "invalid JSON: " + message});
    return false;
  }
  file.positions = index_json_positions(file.text);
  return true;
}

void report_unknown_keys(const SourceFile& file, const nlohmann::json& object,
                         const std::string& pointer, const std::string& rule_id,
                         std::initializer_list<std::string_view> known, DiagnosticSink& sink) {
  for (const auto& [key, value] : object.items()) {
    if (key == "$schema" || key == "$comment" || key == "comment") continue;
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      sink.error(file, pointer + "/" + key, rule_id, fmt::format("unknown key \"{}\"", key));
    }
  }
}

}  // namespace aup
