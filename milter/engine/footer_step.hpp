// The corporate footer as a step of evaluation: due on outbound mail that is accepted or
// tagged (never on rejected or quarantined mail), computed by the MIME footer module, and
// reported in the verdict with the body edit that the daemon applies.
#pragma once

#include "engine/message.hpp"
#include "engine/settings.hpp"
#include "engine/verdict.hpp"
#include "mime/mime_view.hpp"

namespace aup {

// `view` is the message as parsed for the rules; its HTML text is reused.
void add_footer_if_due(const Settings& settings, const Message& message, const mime::MimeView& view,
                       Verdict& verdict);

// The footer's HTML: the configured fragment, or the text as a paragraph; non-ASCII as
// character references, so that it fits any HTML part's charset.
std::string footer_html(const FooterSettings& footer);

}  // namespace aup
