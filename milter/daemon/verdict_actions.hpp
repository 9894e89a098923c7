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
// When libmilter refuses the reply the MTA's own default text goes out with the same code
// class, and the log says so.
sfsistat refuse(SMFICTX* ctx, std::string_view code, std::string_view xcode, std::string_view text);

// The daemon's own temporary failures (the engine's are in its verdicts).
inline constexpr std::string_view kTempfailCode = "451";
inline constexpr std::string_view kTempfailXcode = "4.7.1";     // could not be checked
inline constexpr std::string_view kStoreFailedXcode = "4.3.0";  // could not be held

// libmilter refuses reply text longer than MAXREPLYLEN (980) once its '%' are doubled.
inline constexpr size_t kReplyTextCap = 980;

// `text` as libmilter's reply format wants it: '%' doubled, line breaks made spaces, at most
// kReplyTextCap bytes after doubling, never ending inside a doubled '%'.
std::string reply_safe(std::string_view text);

}  // namespace aup::daemon
