// Working hours in the organisation's time zone, daylight saving and holidays included.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "engine/settings.hpp"

namespace aup {

bool time_zone_exists(const std::string& name);

// "YYYY-MM-DD" naming a real date.
bool valid_date(std::string_view text);

struct LocalTime {
  std::string text;  // "Wed 2026-01-07 12:00 Europe/London", for match details
  bool working = false;
};

// Where `when` falls in the organisation's week. Never throws: an unknown zone (already
// refused by the loader) counts as UTC.
LocalTime local_time(std::chrono::system_clock::time_point when, const WorkingHours& hours);

}  // namespace aup
