// Problems found while loading configuration and rule files, with where they are.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/json_positions.hpp"

namespace aup {

struct Diagnostic {
  enum class Severity { error, warning };
  Severity severity = Severity::error;
  std::string file;
  int line = 0;  // 0 when unknown (file cannot be read)
  int column = 0;
  std::string pointer;  // RFC 6901 JSON pointer of the value at fault
  std::string rule_id;
  std::string message;
};

// "file:line:col: error: rule 'id' (/rules/3/pattern): message"
std::string format_diagnostic(const Diagnostic& diagnostic);

// One parsed JSON file and where its values are.
struct SourceFile {
  std::string path;
  std::string text;
  nlohmann::json json;
  std::map<std::string, TextPosition> positions;
};

class DiagnosticSink {
 public:
  explicit DiagnosticSink(std::vector<Diagnostic>& out) : out_(out) {}
  void error(const SourceFile& file, const std::string& pointer, const std::string& rule_id,
             std::string message);
  void warning(const SourceFile& file, const std::string& pointer, const std::string& rule_id,
               std::string message);
  void add(Diagnostic diagnostic) { out_.push_back(std::move(diagnostic)); }
  size_t error_count() const;

 private:
  void report(Diagnostic::Severity severity, const SourceFile& file, const std::string& pointer,
              const std::string& rule_id, std::string message);
  std::vector<Diagnostic>& out_;
};

// Reads and parses `path` as JSON; on failure reports (with line and column) and returns false.
bool read_json_file(const std::string& path, SourceFile& file, DiagnosticSink& sink);

// Reports every key of the object at `pointer` that is not in `known`.
void report_unknown_keys(const SourceFile& file, const nlohmann::json& object,
                         const std::string& pointer, const std::string& rule_id,
                         std::initializer_list<std::string_view> known, DiagnosticSink& sink);

}  // namespace aup
