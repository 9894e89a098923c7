// The pages' bodies, as pure functions of data: what the server shows, testable without it.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "quarantine/item.hpp"

namespace aup::web {

struct QueueQuery {
  std::string status = "held";  // held (with releasing), released, deleted, expired, any
  std::string clause, rule, sender, from, to, search;
  size_t page = 1;
  std::string notice;  // shown above the list, e.g. that the page asked for was past the end
};

inline constexpr size_t kPageSize = 50;

std::string queue_body(const QueueQuery& query, const std::vector<quarantine::Item>& page_items,
                       size_t total);

struct ItemPageData {
  nlohmann::ordered_json view;  // review::review_view
  std::vector<quarantine::AuditEntry> audit;
  bool may_decide = false;  // an officer, and the item is still held
  std::string notice;       // the outcome of a decision just taken, shown on top
};
std::string item_body(const ItemPageData& data);

// "Release this message?" and the like, with the form that does it.
std::string confirm_body(const quarantine::Item& item, const std::string& action,
                         const std::string& csrf);

std::string audit_body(const std::vector<quarantine::AuditEntry>& entries, size_t page,
                       size_t total, const std::string& notice = "");

struct Summary {
  std::map<std::string, size_t> by_clause;  // held items per clause
  std::map<std::string, size_t> by_day;     // items held per day (YYYY-MM-DD)
  std::map<std::string, size_t> by_status;
};
std::string summary_body(const Summary& summary);

std::string login_body(const std::string& error, const std::string& csrf);

// The quoted excerpts of a match's detail ("\"Forward this\" in body"): what to highlight.
std::vector<std::string> quoted_excerpts(const std::string& detail);

}  // namespace aup::web
