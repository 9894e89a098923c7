// One mailbox as a person or a header writes it (RFC 5322 3.4), reduced to an RFC 5321 path.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aup {

// "Jo Bloggs <jo@x>", "jo(comment)@x", "jo @ x", "<@route:jo@x>" -> "<jo@x>" (or the route
// form) for parse_smtp_path: comments and folding white space dropped, the display name
// checked and dropped. nullopt unless it is exactly one mailbox (a list, a group, an unclosed
// comment or quote, or a stray '<', '>' or '@' in the display name are not).
std::optional<std::string> header_mailbox_path(std::string_view text);

}  // namespace aup
