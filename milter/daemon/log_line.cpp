#include "daemon/log_line.hpp"

#include <fmt/format.h>
#include <syslog.h>

namespace aup::daemon {

std::string escape_log_value(std::string_view text) {
  if (text.empty()) return "-";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f || c == '"' || c == '\\' || c == '=') {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

LogLine::LogLine(int level, std::string_view text) : level_(level), line_(text) {}

LogLine& LogLine::add(std::string_view key, std::string_view value) {
  return add_bare(key, escape_log_value(value));
}

LogLine& LogLine::add_bare(std::string_view key, std::string_view value) {
  if (!line_.empty()) line_ += ' ';
  line_.append(key).append("=").append(value);
  return *this;
}

void LogLine::send() const noexcept {
  syslog(LOG_MAIL | level_, "%s", line_.c_str());
}

void log_text(int level, std::string_view text) noexcept {
  syslog(LOG_MAIL | level, "%.*s", static_cast<int>(text.size()), text.data());
}

}  // namespace aup::daemon
