// The corporate footer as a step of evaluation: due on outbound mail that is accepted or
// tagged (never on rejected or quarantined mail), computed by the MIME footer module, and
// reported in the verdict with the body edit that the daemon applies.
#pragma once

#include "engine/message.hpp"
#include "engine/settings.hpp"
#include "engine/verdict.hpp"

namespace aup {

void add_footer_if_due(const Settings& settings, const Message& message, Verdict& verdict);

// The footer's HTML: the configured fragment, or the text as a paragraph; non-ASCII as
// character references, so that it fits any HTML part's charset.
std::string footer_html(const FooterSettings& footer);

}  // namespace aup
