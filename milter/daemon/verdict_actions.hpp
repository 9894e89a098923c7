// The one place where a Verdict becomes libmilter calls (smfi_* and the sfsistat returned).
#pragma once

#include <libmilter/mfapi.h>

#include <string_view>

#include "daemon/session.hpp"
#include "engine/verdict.hpp"

namespace aup::daemon {

// At end of message: strips incoming copies of our headers, then accepts, tags, quarantines,
// rejects or tempfails. A failed modification becomes a tempfail, never a silent accept.
sfsistat apply_verdict(SMFICTX* ctx, const Verdict& verdict, const MessageState& state);

// Replies with `code`/`xcode`/`text` (escaped for libmilter) and returns REJECT or TEMPFAIL.
sfsistat refuse(SMFICTX* ctx, std::string_view code, std::string_view xcode, std::string_view text);

}  // namespace aup::daemon
