// RFC 3339 timestamps, as given to `aupctl check --time`.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace aup {

// "2026-11-28T14:05:00Z", "2026-11-28T14:05:00.25+01:00", "2026-11-28 14:05:00-05:00".
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

// UTC, whole seconds: "2026-11-28T14:05:00Z" (sorts as text in time order).
std::string format_rfc3339(std::chrono::system_clock::time_point time);

}  // namespace aup
