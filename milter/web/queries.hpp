// What the queue and summary pages show: items chosen by the filters, and counts.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "quarantine/index.hpp"
#include "web/pages.hpp"

namespace aup::web {

// Newest first. Status, dates, rule and sender are the index's filters; clause and the search
// (subject, sender, recipients; case-insensitive) are applied here.
std::vector<quarantine::Item> find_items(quarantine::Index& index, const QueueQuery& query);

// ?page=N: a whole number from 1 (none given is 1); nullopt for anything else ("0", "-1",
// "two", or so many digits that no listing could reach it).
std::optional<size_t> parse_page(const std::string& text);

// The filters that cannot select anything as typed: an unknown status, a date that is not a
// real YYYY-MM-DD day, "from" after "to", an overlong text. nullopt when all are usable,
// else a sentence naming the bad filter (the page answers 400 with it).
std::optional<std::string> filter_error(const QueueQuery& query);

// The number of the last page of `total` entries (1 when there are none). A page past it is
// shown as the last page with a notice: a link kept from before messages were decided should
// still land somewhere useful.
size_t last_page(size_t total);
std::string past_the_end_notice(size_t asked, size_t last);

Summary summarise(const std::vector<quarantine::Item>& items);

}  // namespace aup::web
