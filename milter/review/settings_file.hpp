// The settings of a configuration file, without its rules: what the quarantine and web
// commands need. Problems are printed to stderr as file:line:col.
#pragma once

#include <optional>
#include <string>

#include "engine/settings.hpp"

namespace aup::review {

std::optional<Settings> read_settings(const std::string& config);

}  // namespace aup::review
