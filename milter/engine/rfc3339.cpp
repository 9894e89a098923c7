// A strict RFC 3339 parser (libstdc++ 12 has no std::chrono::parse).
#include "engine/rfc3339.hpp"

#include <charconv>
#include <ctime>

namespace aup {
namespace {

bool read_number(std::string_view text, size_t& at, size_t digits, int& out) {
  if (at + digits > text.size()) return false;
  const char* begin = text.data() + at;
  const auto [end, error] = std::from_chars(begin, begin + digits, out);
  if (error != std::errc() || end != begin + digits) return false;
  at += digits;
  return true;
}

bool expect(std::string_view text, size_t& at, std::string_view choices) {
  if (at >= text.size() || choices.find(text[at]) == std::string_view::npos) return false;
  ++at;
  return true;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  size_t at = 0;
  if (!read_number(text, at, 4, year) || !expect(text, at, "-") ||
      !read_number(text, at, 2, month) || !expect(text, at, "-") ||
      !read_number(text, at, 2, day) || !expect(text, at, "Tt ") ||
      !read_number(text, at, 2, hour) || !expect(text, at, ":") ||
      !read_number(text, at, 2, minute) || !expect(text, at, ":") ||
      !read_number(text, at, 2, second)) {
    return std::nullopt;
  }
  // system_clock counts nanoseconds in 64 bits: it ends in 2262.
  if (year < 1678 || year > 2261 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  if (at < text.size() && text[at] == '.') {
    ++at;
    const size_t digits_start = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9')
      ++at;
    if (at == digits_start) return std::nullopt;  // fractions are accepted and ignored
  }
  int offset_seconds = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else {
    const bool negative = at < text.size() && text[at] == '-';
    int offset_hours = 0, offset_minutes = 0;
    if (!expect(text, at, "+-") || !read_number(text, at, 2, offset_hours) ||
        !expect(text, at, ":") || !read_number(text, at, 2, offset_minutes) || offset_hours > 23 ||
        offset_minutes > 59) {
      return std::nullopt;
    }
    offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (negative ? -1 : 1);
  }
  if (at != text.size()) return std::nullopt;
  std::tm fields{};
  fields.tm_year = year - 1900;
  fields.tm_mon = month - 1;
  fields.tm_mday = day;
  fields.tm_hour = hour;
  fields.tm_min = minute;
  fields.tm_sec = second == 60 ? 59 : second;  // a leap second reads as its neighbour
  std::time_t utc = timegm(&fields);
  std::tm normalised{};
  gmtime_r(&utc, &normalised);
  if (normalised.tm_mday != day) return std::nullopt;  // 30 February and friends
  utc -= offset_seconds;
  return std::chrono::system_clock::from_time_t(utc);
}

std::string format_rfc3339(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm fields{};
  gmtime_r(&seconds, &fields);
  char text[32] = {};
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &fields);
  return text;
}

}  // namespace aup
