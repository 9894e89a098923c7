// Text from a held message shown on a reviewer's terminal. The sender controls it, so control
// characters (terminal escape sequences), C1 controls and bidirectional overrides are shown as
// visible escapes, never passed to the terminal.
#pragma once

#include <string>
#include <string_view>

namespace aup::review {

// Keeps newlines and tabs when multiline; escapes everything else that is not printable.
std::string terminal_safe(std::string_view utf8, bool multiline = false);

}  // namespace aup::review
