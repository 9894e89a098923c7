// Filters and counts over the index.
#include "web/queries.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace aup::web {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool contains(const std::string& haystack, const std::string& lowered_needle) {
  return lower(haystack).find(lowered_needle) != std::string::npos;
}

bool matches_search(const quarantine::Item& item, const std::string& lowered) {
  if (contains(item.subject, lowered) || contains(item.sender, lowered)) return true;
  return std::any_of(item.recipients.begin(), item.recipients.end(),
                     [&](const std::string& recipient) { return contains(recipient, lowered); });
}

// A date from the form (YYYY-MM-DD) as the start of that day, or of the next one, in UTC.
std::optional<std::string> day_start(const std::string& date, bool next_day) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  if (!next_day) return date + "T00:00:00Z";
  // "Until and including that day": everything before the next day's start, which in the
  // index's text order is everything up to the day's last second.
  return date + "T23:59:60Z";
}

// YYYY-MM-DD naming a day of the calendar.
bool real_day(const std::string& date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(date[i]))) return false;
  const std::chrono::year_month_day day{
      std::chrono::year(std::stoi(date.substr(0, 4))),
      std::chrono::month(static_cast<unsigned>(std::stoi(date.substr(5, 2)))),
      std::chrono::day(static_cast<unsigned>(std::stoi(date.substr(8, 2))))};
  return day.ok();
}

constexpr size_t kMaxFilterText = 256;

}  // namespace

std::optional<size_t> parse_page(const std::string& text) {
  if (text.empty()) return 1;
  if (text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  const size_t page = std::stoul(text);
  if (page == 0) return std::nullopt;
  return page;
}

std::optional<std::string> filter_error(const QueueQuery& query) {
  if (query.status != "held" && query.status != "any" && !quarantine::parse_status(query.status))
    return fmt::format("Status \"{}\" is not one of held, released, deleted, expired or any.",
                       query.status);
  for (const auto& [name, date] : {std::pair{"From", &query.from}, std::pair{"To", &query.to}}) {
    if (!date->empty() && !real_day(*date))
      return fmt::format("{} \"{}\" is not a date (YYYY-MM-DD, such as 2026-03-31).", name, *date);
  }
  if (!query.from.empty() && !query.to.empty() && query.from > query.to)
    return fmt::format("From ({}) is after To ({}): no message can match.", query.from, query.to);
  for (const auto& [name, text] :
       {std::pair{"Clause", &query.clause}, std::pair{"Rule", &query.rule},
        std::pair{"Sender", &query.sender}, std::pair{"Search", &query.search}}) {
    if (text->size() > kMaxFilterText)
      return fmt::format("{} is longer than {} characters.", name, kMaxFilterText);
  }
  return std::nullopt;
}

size_t last_page(size_t total) {
  return std::max<size_t>(1, (total + kPageSize - 1) / kPageSize);
}

std::string past_the_end_notice(size_t asked, size_t last) {
  return fmt::format("There is no page {}: showing the last page, {}.", asked, last);
}

std::vector<quarantine::Item> find_items(quarantine::Index& index, const QueueQuery& query) {
  quarantine::ListFilter filter;
  if (query.status == "held") {
    filter.statuses = {quarantine::Status::held, quarantine::Status::releasing};
  } else if (const auto status = quarantine::parse_status(query.status)) {
    filter.statuses = {*status};
  }
  filter.since = day_start(query.from, false);
  filter.before = day_start(query.to, true);
  if (!query.rule.empty()) filter.rule = query.rule;
  if (!query.sender.empty()) filter.sender = query.sender;
  auto items = index.list(filter);
  const std::string search = lower(query.search);
  std::erase_if(items, [&](const quarantine::Item& item) {
    if (!query.clause.empty() &&
        std::find(item.clauses.begin(), item.clauses.end(), query.clause) == item.clauses.end()) {
      return true;
    }
    return !search.empty() && !matches_search(item, search);
  });
  return items;
}

Summary summarise(const std::vector<quarantine::Item>& items) {
  Summary summary;
  for (const auto& item : items) {
    ++summary.by_status[std::string(quarantine::to_string(item.status))];
    ++summary.by_day[item.time.substr(0, 10)];
    for (const auto& clause : item.clauses)
      ++summary.by_clause[clause];
  }
  return summary;
}

}  // namespace aup::web
