// Every line the daemon logs goes through here (syslog, facility mail): a fixed text of ours,
// then key=value fields whose values are escaped, so that no sender, subject, queue id or
// error text can forge a field or a line, and a program can read any line the same way.
#pragma once

#include <concepts>
#include <string>
#include <string_view>

namespace aup::daemon {

// `key=value` text with spaces, quotes, '=', control and non-ASCII characters as \xNN; "-"
// for the empty value.
std::string escape_log_value(std::string_view text);

class LogLine {
 public:
  // `level` is a syslog priority (LOG_ERR...). `text` is ours, never outside data: it is
  // written as it is, and may be empty (a line of fields only).
  LogLine(int level, std::string_view text);

  LogLine& add(std::string_view key, std::string_view value);
  LogLine& add(std::string_view key, const char* value) {
    return add(key, std::string_view(value != nullptr ? value : ""));
  }
  LogLine& add(std::string_view key, const std::string& value) {
    return add(key, std::string_view(value));
  }
  template <std::integral Number>
  LogLine& add(std::string_view key, Number value) {
    return add_bare(key, std::to_string(value));
  }

  // The line so far, as it will be logged.
  const std::string& text() const { return line_; }

  // Writes the line. Never throws.
  void send() const noexcept;

 private:
  LogLine& add_bare(std::string_view key, std::string_view value);

  int level_;
  std::string line_;
};

// For the few lines with no fields.
void log_text(int level, std::string_view text) noexcept;

}  // namespace aup::daemon
