// Which way a message travels: only originating mail is subject to the staff policy.
#pragma once

#include "engine/eval_context.hpp"
#include "engine/message.hpp"
#include "mime/mime_view.hpp"

namespace aup {

// Fills what the envelope leaves unset from the headers: the sender from From, the
// recipients from To, Cc and Bcc (how `aupctl check` works on a saved message).
EffectiveEnvelope effective_envelope(const Envelope& envelope, const mime::MimeView& view);

// Authenticated, or from an internal network, or (neither known) from an internal sender.
bool is_originating(const EffectiveEnvelope& envelope, const Settings& settings);

// Originating when authenticated, or from an internal network, or (neither known) when the
// sender is internal. Originating with any external recipient is outbound; with only internal
// recipients internal; anything else inbound.
Direction classify_direction(const EffectiveEnvelope& envelope, const Settings& settings);

}  // namespace aup
