// Escaping and the page frame.
#include "web/html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "review/safe_text.hpp"

namespace aup::web {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string visible(std::string_view text, bool multiline) {
  return escape(review::terminal_safe(text, multiline));
}

std::string url_encode(std::string_view text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string csrf_field(const std::string& token) {
  return fmt::format(R"(<input type="hidden" name="csrf" value="{}">)", escape(token));
}

namespace {

std::string navigation(const PageContext& context) {
  if (context.account.empty()) return "";
  const auto link = [&](const char* id, const char* href, const char* label) {
    return fmt::format(R"(<a href="{}"{}>{}</a>)", href,
                       context.active == id ? R"( aria-current="page")" : "", label);
  };
  return fmt::format(
      R"(<nav aria-label="Main">{} {} {}</nav>)"
      R"(<form class="account" method="post" action="/logout">{}<span>{} ({})</span> )"
      R"(<button type="submit">Sign out</button></form>)",
      link("queue", "/", "Held messages"), link("audit", "/audit", "Audit trail"),
      link("summary", "/summary", "Summary"), csrf_field(context.csrf), escape(context.account),
      escape(context.role));
}

}  // namespace

std::string page(const PageContext& context, const std::string& body) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>{} - aup-milter quarantine</title>"
      "<link rel=\"stylesheet\" href=\"/static/style.css\"></head>\n"
      "<body><header><a class=\"brand\" href=\"/\">aup-milter quarantine</a>{}</header>\n"
      "<main id=\"main\"><h1>{}</h1>\n{}</main></body></html>\n",
      escape(context.title), navigation(context), escape(context.title), body);
}

std::string highlighted(std::string_view text, const std::vector<std::string>& excerpts) {
  std::string lowered(text);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<std::pair<size_t, size_t>> spans;  // [start, end) in text
  for (std::string excerpt : excerpts) {
    if (excerpt.size() < 2) continue;
    std::transform(excerpt.begin(), excerpt.end(), excerpt.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (size_t at = lowered.find(excerpt); at != std::string::npos;
         at = lowered.find(excerpt, at + excerpt.size())) {
      spans.emplace_back(at, at + excerpt.size());
    }
  }
  std::sort(spans.begin(), spans.end());
  std::string out;
  size_t done = 0;
  for (const auto& [start, end] : spans) {
    if (start < done) continue;  // overlaps one already marked
    out += visible(text.substr(done, start - done), true);
    out += "<mark>" + visible(text.substr(start, end - start), true) + "</mark>";
    done = end;
  }
  return out + visible(text.substr(done), true);
}

}  // namespace aup::web
