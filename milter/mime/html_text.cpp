// HTML to text through libxml2's forgiving HTML parser (it already knows every entity and
// how browsers recover from broken markup, which a hand-written stripper would get wrong).
#include "mime/html_text.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <array>
#include <climits>
#include <memory>

namespace aup::mime {
namespace {

constexpr std::array kBlockElements = {"p",  "div", "br", "tr", "li", "h1", "h2",    "h3",
                                       "h4", "h5",  "h6", "table", "ul", "ol", "blockquote",
                                       "pre", "hr", "section", "article", "header", "footer",
                                       "title", "dt", "dd"};

bool is_named(const xmlNode* node, const char* name) {
  return xmlStrcasecmp(node->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

bool is_block(const xmlNode* node) {
  for (const char* name : kBlockElements) {
    if (is_named(node, name)) return true;
  }
  return false;
}

bool is_invisible(const xmlNode* node) {
  return is_named(node, "script") || is_named(node, "style") || is_named(node, "head");
}

void append_newline(std::string& out) {
  if (!out.empty() && out.back() != '\n') out.push_back('\n');
}

void collect_text(const xmlNode* node, std::string& out) {
  for (; node != nullptr; node = node->next) {
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
      if (node->content != nullptr) out.append(reinterpret_cast<const char*>(node->content));
      continue;
    }
    if (node->type != XML_ELEMENT_NODE) continue;
    // <title> lives in <head> but is text a reader sees in the tab; keep it, drop the rest.
    if (is_invisible(node) && !is_named(node, "head")) continue;
    const bool block = is_block(node);
    if (block) append_newline(out);
    if (is_named(node, "head")) {
      for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE && is_named(child, "title")) {
          collect_text(child->children, out);
          append_newline(out);
        }
      }
      continue;
    }
    collect_text(node->children, out);
    if (block) append_newline(out);
  }
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
  if (!doc) return {};
  std::string out;
  collect_text(xmlDocGetRootElement(doc.get()), out);
  return out;
}

}  // namespace aup::mime
