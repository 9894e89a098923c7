// The engine's one entry point per message: Policy + Message -> Verdict. Never throws.
#pragma once

#include "engine/message.hpp"
#include "engine/policy.hpp"
#include "engine/services.hpp"
#include "engine/verdict.hpp"
#include "mime/mime_view.hpp"

namespace aup {

// `services.scanner` is used when given (clamd); without it virus rules do not fire.
Verdict evaluate(const Policy& policy, const Message& message, const Services& services) noexcept;

// For callers that already parsed (and, if they want, inspected) the message: tests.
Verdict evaluate(const Policy& policy, const Message& message, const mime::MimeView& view,
                 const Services& services) noexcept;

// The verdict given when evaluation itself failed: the configured internal-error action.
Verdict internal_error_verdict(const Settings& settings, std::string_view reason) noexcept;

}  // namespace aup
