// Which way a message travels: only originating mail is subject to the staff policy.
#pragma once

#include "engine/eval_context.hpp"
#include "engine/message.hpp"
#include "mime/mime_view.hpp"

namespace aup {

// Fills what the envelope leaves unset from the headers: the sender from From, the
// recipients from To, Cc and Bcc (how `aupctl check` works on a saved message).
EffectiveEnvelope effective_envelope(const Envelope& envelope, const mime::MimeView& view);

// Authenticated, or from an internal network, or (neither known) from a sender that is not
// a valid external address (an unparseable or null sender takes the safe side).
bool is_originating(const EffectiveEnvelope& envelope, const Settings& settings);

// Originating as is_originating says. Originating with any external recipient is outbound; with
// only internal recipients internal; anything else inbound.
Direction classify_direction(const EffectiveEnvelope& envelope, const Settings& settings);

}  // namespace aup
