// Local time through Howard Hinnant's date/tz library on the system tz database
// (libstdc++ 12 has no std::chrono::zoned_time).
#include "engine/working_hours.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>

namespace aup {

bool time_zone_exists(const std::string& name) {
  try {
    return date::locate_zone(name) != nullptr;
  } catch (...) {
    return false;
  }
}

bool valid_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int year = 0;
  unsigned month = 0, day = 0;
  if (std::sscanf(std::string(text).c_str(), "%4d-%2u-%2u", &year, &month, &day) != 3) return false;
  return date::year_month_day(date::year(year), date::month(month), date::day(day)).ok();
}

LocalTime local_time(std::chrono::system_clock::time_point when, const WorkingHours& hours) {
  using namespace std::chrono;
  const auto rounded = floor<minutes>(when);
  date::local_time<minutes> local{};
  std::string zone = hours.time_zone;
  try {
    local = date::floor<minutes>(date::make_zoned(hours.time_zone, rounded).get_local_time());
  } catch (...) {
    local = date::local_time<minutes>(rounded.time_since_epoch());
    zone = "UTC";
  }
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd(day);
  const unsigned weekday = date::weekday(day).iso_encoding();
  const auto minute_of_day = static_cast<int>((local - day).count());
  const std::string date_text = date::format("%Y-%m-%d", ymd);
  LocalTime result;
  result.text = fmt::format("{} {} {:02}:{:02} {}", date::format("%a", date::weekday(day)),
                            date_text, minute_of_day / 60, minute_of_day % 60, zone);
  const bool working_day =
      std::find(hours.days.begin(), hours.days.end(), static_cast<int>(weekday)) !=
          hours.days.end() &&
      std::find(hours.holidays.begin(), hours.holidays.end(), date_text) == hours.holidays.end();
  result.working =
      working_day && minute_of_day >= hours.start_minute && minute_of_day < hours.end_minute;
  return result;
}

}  // namespace aup
