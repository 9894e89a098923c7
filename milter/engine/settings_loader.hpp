// Reads the organisation settings from the configuration file's top-level object.
#pragma once

#include "engine/diagnostics.hpp"
#include "engine/settings.hpp"

namespace aup {

// Keys of the configuration object that are settings (the loader handles "rule_files").
Settings load_settings(const SourceFile& config, DiagnosticSink& sink);

}  // namespace aup
