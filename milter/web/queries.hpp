// What the queue and summary pages show: items chosen by the filters, and counts.
#pragma once

#include <vector>

#include "quarantine/index.hpp"
#include "web/pages.hpp"

namespace aup::web {

// Newest first. Status, dates, rule and sender are the index's filters; clause and the search
// (subject, sender, recipients; case-insensitive) are applied here.
std::vector<quarantine::Item> find_items(quarantine::Index& index, const QueueQuery& query);

Summary summarise(const std::vector<quarantine::Item>& items);

}  // namespace aup::web
