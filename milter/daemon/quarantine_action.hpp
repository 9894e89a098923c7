// A quarantine verdict at end of message. Store mode: the message is stored durably, then
// discarded from the MTA; if it cannot be stored, tempfail so that the MTA keeps it. Hold mode:
// smfi_quarantine puts it in the MTA's hold queue, and a copy is stored for review.
#pragma once

#include <libmilter/mfapi.h>

#include <string>

#include "daemon/quarantine_service.hpp"
#include "daemon/session.hpp"
#include "engine/verdict.hpp"

namespace aup::daemon {

// Returns the libmilter answer; `quarantine_id` gets the stored item's id ("" if none).
sfsistat hold_for_review(SMFICTX* ctx, const Verdict& verdict, const MessageState& state,
                         QuarantineService& quarantines, std::string& quarantine_id);

// The text given to smfi_quarantine: the first clause and rule that held the message.
std::string quarantine_reason(const Verdict& verdict);

}  // namespace aup::daemon
