// Turns HTML into the plain text a reader would see, so text rules see words, not markup.
#pragma once

#include <string>
#include <string_view>

namespace aup::mime {

// `html` must be UTF-8. Tags, comments, scripts and styles are dropped, entities decoded,
// block elements become line breaks and table cells sit side by side. Outside <pre>, runs of
// white space (no-break spaces too) become one space; invisible characters (soft hyphens,
// zero-width spaces) vanish. Never throws; broken or deeply nested markup yields every word
// that could be read, in time linear in the input.
std::string html_to_text(std::string_view html);

}  // namespace aup::mime
