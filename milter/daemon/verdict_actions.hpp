// The one place where a Verdict becomes libmilter calls (smfi_* and the sfsistat returned).
#pragma once

#include <libmilter/mfapi.h>

#include <string_view>

#include "daemon/quarantine_service.hpp"
#include "daemon/session.hpp"
#include "engine/verdict.hpp"

namespace aup::daemon {

// At end of message: strips incoming copies of our headers, then accepts, tags, quarantines,
// rejects or tempfails. A failed modification becomes a tempfail, never a silent accept.
// `quarantine_id` gets the id of the stored item when the message was quarantined.
sfsistat apply_verdict(SMFICTX* ctx, const Verdict& verdict, const MessageState& state,
                       QuarantineService& quarantines, std::string& quarantine_id);

// Replies with `code`/`xcode`/`text` (escaped for libmilter) and returns REJECT or TEMPFAIL.
sfsistat refuse(SMFICTX* ctx, std::string_view code, std::string_view xcode, std::string_view text);

}  // namespace aup::daemon
