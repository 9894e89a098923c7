// HTML to text through libxml2's forgiving HTML parser (it already knows every entity and
// how browsers recover from broken markup, which a hand-written stripper would get wrong), with
// a plain scan for the documents it gives up on.
#include "mime/html_text.hpp"

#include <glib.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <utility>

#include "mime/text_decode.hpp"

namespace aup::mime {
namespace {

constexpr std::array kBlockElements = {"p",       "div",    "br",         "tr",    "li", "h1",
                                       "h2",      "h3",     "h4",         "h5",    "h6", "table",
                                       "ul",      "ol",     "blockquote", "pre",   "hr", "section",
                                       "article", "header", "footer",     "title", "dt", "dd"};

bool is_named(const xmlNode* node, const char* name) {
  return xmlStrcasecmp(node->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

bool is_block(const xmlChar* name) {
  for (const char* block : kBlockElements) {
    if (xmlStrcasecmp(name, reinterpret_cast<const xmlChar*>(block)) == 0) return true;
  }
  return false;
}

bool is_invisible(const xmlNode* node) {
  return is_named(node, "script") || is_named(node, "style") || is_named(node, "template");
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

void append_space(std::string& out) {
  if (!out.empty() && out.back() != ' ' && out.back() != '\n') out.push_back(' ');
}

void append_newline(std::string& out) {
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  if (!out.empty() && out.back() != '\n') out.push_back('\n');
}

// Outside <pre> a reader sees each run of white space, no-break spaces included, as one space;
// rules written with a plain space must match what the reader saw.
void append_flowed(std::string_view text, std::string& out) {
  constexpr std::string_view kNoBreakSpace = "\xC2\xA0";
  size_t i = 0;
  while (i < text.size()) {
    size_t run = i;  // ordinary bytes are copied a run at a time
    while (run < text.size() && !is_space(text[run]) && text[run] != kNoBreakSpace[0])
      ++run;
    out.append(text.substr(i, run - i));
    if (run == text.size()) break;
    if (is_space(text[run])) {
      append_space(out);
      i = run + 1;
    } else if (text.substr(run, kNoBreakSpace.size()) == kNoBreakSpace) {
      append_space(out);
      i = run + kNoBreakSpace.size();
    } else {
      out.push_back(text[run]);
      i = run + 1;
    }
  }
}

void collect_text(const xmlNode* node, std::string& out, bool preformatted);

// <title> lives in <head> but is text a reader sees in the tab; keep it, drop the rest.
void collect_title(const xmlNode* head, std::string& out) {
  for (const xmlNode* child = head->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE && is_named(child, "title")) {
      collect_text(child->children, out, false);
      append_newline(out);
    }
  }
}

void collect_element(const xmlNode* node, std::string& out, bool preformatted) {
  if (is_named(node, "head")) return collect_title(node, out);
  if (is_invisible(node)) return;
  const bool block = is_block(node->name);
  if (block) append_newline(out);
  if (is_named(node, "td") || is_named(node, "th")) append_space(out);  // cells side by side
  preformatted = preformatted || is_named(node, "pre") || is_named(node, "textarea");
  collect_text(node->children, out, preformatted);
  if (block) append_newline(out);
}

void collect_text(const xmlNode* node, std::string& out, bool preformatted) {
  for (; node != nullptr; node = node->next) {
    if (node->type == XML_ELEMENT_NODE) {
      collect_element(node, out, preformatted);
    } else if ((node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) &&
               node->content != nullptr) {
      const std::string_view text = reinterpret_cast<const char*>(node->content);
      if (preformatted) {
        out.append(text);
      } else {
        append_flowed(text, out);
      }
    }
  }
}

// Tag name after "<" or "</", lower case.
std::string tag_name(std::string_view html, size_t at) {
  size_t i = at + 1;
  if (i < html.size() && html[i] == '/') ++i;
  std::string name;
  while (i < html.size() && g_ascii_isalnum(html[i]))
    name.push_back(g_ascii_tolower(html[i++]));
  return name;
}

size_t find_ascii_nocase(std::string_view text, std::string_view needle, size_t from) {
  for (size_t i = from; i + needle.size() <= text.size(); ++i) {
    if (g_ascii_strncasecmp(text.data() + i, needle.data(), needle.size()) == 0) return i;
  }
  return std::string_view::npos;
}

// Where the text resumes after the markup at `at`: a comment, a tag, or a whole script or style
// element. An unclosed comment, script or style hides the rest, as in a browser. Returns npos
// when no '>' follows at all, so no later '<' can start a tag either. Each search ends where
// the scan goes on, or ends the scan, so the whole scan stays linear.
size_t skip_markup(std::string_view html, size_t at, std::string& out) {
  if (html.substr(at, 4) == "<!--") {
    const size_t end = html.find("-->", at + 4);
    return end == std::string_view::npos ? html.size() : end + 3;
  }
  const size_t end = html.find('>', at + 1);
  if (end == std::string_view::npos) return end;
  const std::string name = tag_name(html, at);
  if (is_block(reinterpret_cast<const xmlChar*>(name.c_str()))) append_newline(out);
  if ((name == "script" || name == "style") && html[at + 1] != '/') {
    const size_t close = find_ascii_nocase(html, "</" + name, end + 1);
    return close == std::string_view::npos ? html.size() : close;
  }
  return end + 1;
}

// Where the text resumes after the entity at `at`; an unknown one is literal text.
size_t decode_entity(std::string_view html, size_t at, std::string& out) {
  constexpr size_t kLongestEntity = 32;
  const size_t length = html.substr(at, kLongestEntity + 2).find(';');
  if (length == std::string_view::npos) {
    out.push_back('&');
    return at + 1;
  }
  const std::string name(html.substr(at + 1, length - 1));
  unsigned long code = 0;
  if (name.size() > 1 && name[0] == '#') {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    code = std::strtoul(name.c_str() + (hex ? 2 : 1), nullptr, hex ? 16 : 10);
  } else if (const htmlEntityDesc* entity =
                 htmlEntityLookup(reinterpret_cast<const xmlChar*>(name.c_str()))) {
    code = entity->value;
  }
  if (code == 0 || code > 0x10FFFF || !g_unichar_validate(static_cast<gunichar>(code))) {
    out.push_back('&');
    return at + 1;
  }
  char utf8[8];
  const gint size = g_unichar_to_utf8(static_cast<gunichar>(code), utf8);
  append_flowed(std::string_view(utf8, static_cast<size_t>(size)), out);
  return at + length + 1;
}

// libxml2 stops building the tree at 256 nested elements and drops the rest of the document, so
// deep nesting would hide words from rules. This plain scan keeps every word instead.
std::string strip_tags(std::string_view html) {
  std::string out;
  bool tags_possible = true;
  size_t i = 0;
  while (i < html.size()) {
    if (html[i] == '<' && tags_possible) {
      const size_t next = skip_markup(html, i, out);
      if (next != std::string_view::npos) {
        i = next;
        continue;
      }
      tags_possible = false;  // and this '<' is text
    }
    if (html[i] == '&') {
      i = decode_entity(html, i, out);
      continue;
    }
    const size_t next =
        std::min(html.find_first_of(tags_possible ? "<&" : "&", i + 1), html.size());
    append_flowed(html.substr(i, next - i), out);
    i = next;
  }
  return drop_invisible(std::move(out));
}

struct DocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct CtxtFree {
  void operator()(htmlParserCtxt* ctxt) const { htmlFreeParserCtxt(ctxt); }
};

}  // namespace

std::string html_to_text(std::string_view html) {
  if (html.empty() || html.size() > static_cast<size_t>(INT_MAX)) return {};
  std::unique_ptr<htmlParserCtxt, CtxtFree> ctxt(htmlNewParserCtxt());
  if (!ctxt) return {};
  constexpr int kOptions = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                           HTML_PARSE_NONET | HTML_PARSE_COMPACT;
  std::unique_ptr<xmlDoc, DocFree> doc(htmlCtxtReadMemory(
      ctxt.get(), html.data(), static_cast<int>(html.size()), nullptr, "UTF-8", kOptions));
  // disableSAX is how libxml2 marks a parse it halted (too deep) rather than finished.
  if (!doc || ctxt->disableSAX != 0) return strip_tags(html);
  std::string out;
  collect_text(xmlDocGetRootElement(doc.get()), out, false);
  return drop_invisible(std::move(out));
}

}  // namespace aup::mime
