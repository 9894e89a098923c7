// Turns HTML into the plain text a reader would see, so text rules see words, not markup.
#pragma once

#include <string>
#include <string_view>

namespace aup::mime {

// `html` must be UTF-8. Tags, comments, scripts and styles are dropped, entities decoded,
// block elements become line breaks. Never throws; broken markup yields what could be read.
std::string html_to_text(std::string_view html);

}  // namespace aup::mime
