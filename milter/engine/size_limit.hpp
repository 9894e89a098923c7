// Messages over daemon.max_message_bytes: the daemon stops collecting them (its memory bound)
// and `aupctl check` must answer as it does, so both ask this for the verdict.
#pragma once

#include <string>

#include "engine/diagnostics.hpp"
#include "engine/message.hpp"
#include "engine/policy.hpp"
#include "engine/verdict.hpp"

namespace aup {

// True when a message of `bytes` is over the limit (the daemon keeps at most the limit).
bool over_size_limit(const Settings& settings, size_t bytes);

// The verdict for a message over the limit, from daemon.over_limit; its rules are not run.
// `message` may be cut short at the limit: only its envelope and header fields are read, to
// tell its direction (inbound mail passes untouched whatever its size). Never throws.
Verdict size_verdict(const Policy& policy, const Message& message) noexcept;

// Reads daemon.over_limit at `pointer` (an object) into `out`, reporting every problem.
void read_over_limit(const SourceFile& file, const std::string& pointer, DiagnosticSink& sink,
                     OverLimit& out);

}  // namespace aup
