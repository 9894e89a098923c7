// HTML for the web pages, built on the server. Every string that came from a message or a user
// goes through escape() (or visible(), which also shows control and bidirectional characters as
// escapes); nothing from a message is ever emitted as markup.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aup::web {

std::string escape(std::string_view text);
// escape() after making invisible and direction-changing characters visible.
std::string visible(std::string_view text, bool multiline = false);
// Query-string encoding for links that carry filters.
std::string url_encode(std::string_view text);

struct PageContext {
  std::string title;
  std::string account;  // "" when signed out
  std::string role;
  std::string csrf;    // for the sign-out form
  std::string active;  // "queue", "audit", "summary"
};

// The whole document: header with navigation, the body, and nothing inline that the
// Content-Security-Policy forbids.
std::string page(const PageContext& context, const std::string& body);

// <input type="hidden" name="csrf" ...>
std::string csrf_field(const std::string& token);

// `text` escaped, with each case-insensitive occurrence of an excerpt in <mark>.
std::string highlighted(std::string_view text, const std::vector<std::string>& excerpts);

}  // namespace aup::web
