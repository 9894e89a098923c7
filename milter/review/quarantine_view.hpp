// What a reviewer sees of one held message, as data: the index row, why it was held, the
// headers, the text parts as text and the attachments by name, true type and size. Nothing is
// executed or rendered; `aupctl quarantine show` prints it, and --json gives it to other tools.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "engine/settings.hpp"
#include "quarantine/quarantine.hpp"

namespace aup::review {

nlohmann::ordered_json review_view(const quarantine::Item& item,
                                   const std::optional<nlohmann::json>& record,
                                   const std::optional<std::string>& message,
                                   const Settings& settings);

// The same view as plain text, safe for a terminal.
std::string review_text(const nlohmann::ordered_json& view);

}  // namespace aup::review
