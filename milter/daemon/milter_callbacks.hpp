// The libmilter callbacks: collect the message, evaluate it with the engine at end of message,
// and apply the verdict. Each runs inside one guard that turns any failure into the configured
// fail action.
#pragma once

#include <libmilter/mfapi.h>

#include <optional>
#include <string>

#include "daemon/config_holder.hpp"
#include "daemon/quarantine_service.hpp"
#include "inspect/executor.hpp"
#include "inspect/true_type.hpp"

namespace aup::daemon {

// Must be called once before smfi_main; both objects outlive the milter. `clamd_override`
// (the --clamd option) replaces the configured clamd address and turns scanning on.
// `engine_workers` and `types` are the engine's for every message: they must outlive the
// libmilter threads (which may still be in a callback when main returns), so never destroy them.
void use_configuration(ConfigHolder& configs, QuarantineService& quarantines,
                       std::optional<std::string> clamd_override, inspect::Executor& engine_workers,
                       const inspect::TypeDetector& types);

smfiDesc filter_description();

}  // namespace aup::daemon
