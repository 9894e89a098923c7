// Filters and counts over the index.
#include "web/queries.hpp"

#include <algorithm>
#include <cctype>

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

}  // namespace

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
