// Typed reads of one configuration file's values by JSON pointer, each problem reported with
// the key's name and position. The engine reads its settings with it, and each front end
// (daemon, scanner, quarantine, web pages) its own section of the same file.
#pragma once

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "engine/diagnostics.hpp"

namespace aup {

class ConfigReader {
 public:
  ConfigReader(const SourceFile& file, DiagnosticSink& sink) : file_(file), sink_(sink) {}

  // Null when the key is absent.
  const nlohmann::json* at(const std::string& pointer) const;
  std::string text(const std::string& pointer, const std::string& fallback);
  std::vector<std::string> strings(const std::string& pointer);
  std::vector<std::string> lowered(const std::string& pointer);  // ASCII lower case
  void boolean(const std::string& pointer, bool& target);
  template <typename Number>
  void number(const std::string& pointer, Number& target, Number minimum);

  // True when `pointer` holds an object, whose keys outside `keys` are reported.
  bool object_at(const std::string& pointer, std::initializer_list<std::string_view> keys);
  // A file name relative to the configuration file's folder; absolute and "" as they are.
  std::string beside_config(const std::string& name) const;
  // Reports `value` at `pointer` unless it is HOST:PORT; `example` shows the form.
  void check_host_port(const std::string& pointer, const std::string& value,
                       std::string_view example);
  void error(const std::string& pointer, std::string message);

  const SourceFile& file() const { return file_; }
  DiagnosticSink& sink() { return sink_; }

 private:
  const SourceFile& file_;
  DiagnosticSink& sink_;
};

template <typename Number>
void ConfigReader::number(const std::string& pointer, Number& target, Number minimum) {
  const nlohmann::json* value = at(pointer);
  if (value == nullptr) return;
  if (value->is_number_unsigned() && value->get<uint64_t>() >= minimum &&
      value->get<uint64_t>() <= std::numeric_limits<Number>::max()) {
    target = value->get<Number>();
    return;
  }
  error(pointer, "must be an integer from " + std::to_string(minimum) + " to " +
                     std::to_string(std::numeric_limits<Number>::max()));
}

}  // namespace aup
