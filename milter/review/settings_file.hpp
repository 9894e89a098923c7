// The settings of a configuration file, without its rules: what the quarantine and web
// commands need. Problems are printed to stderr as file:line:col.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "engine/diagnostics.hpp"
#include "engine/settings.hpp"
#include "quarantine/quarantine_settings.hpp"

namespace aup::review {

struct ReviewConfig {
  Settings settings;  // the engine's: organisation, domains, header prefix, reply suffix
  QuarantineSettings quarantine;
};

// A front end's further sections, read from the same file with the same sink, so that every
// problem is printed and any error refuses the whole configuration.
using SectionReader = std::function<void(const SourceFile&, DiagnosticSink&)>;

std::optional<ReviewConfig> read_review_config(const std::string& config,
                                               const SectionReader& more = {});

}  // namespace aup::review
