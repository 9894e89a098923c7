// An RFC 5322 tokenizer for one mailbox. GMime reads the message's own headers (mime_view);
// this serves addresses given as text (aupctl --from/--rcpt, a header value kept as a
// string). GMime's reader is lenient where this must not be: it reads
// "x@evil.example <y@medway.gov.uk>" as a display name and a council address, and
// "<x@medway.gov.uk@evil.example>" as x@medway.gov.uk, where the only safe reading is "no
// valid address" (then classed external).
#include "engine/header_address.hpp"

#include <vector>

namespace aup {
namespace {

struct Token {
  bool word = false;  // an atom, a quoted string or a domain literal; else one special
  std::string_view text;
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_special(char c) {
  constexpr std::string_view specials = "()<>[]:;@\\,.\"";
  return specials.find(c) != std::string_view::npos;
}

// The end of a comment that starts at `pos` (just after its '('): comments nest and may hold
// quoted pairs. npos when it does not close.
size_t comment_end(std::string_view text, size_t pos) {
  for (int depth = 1; pos < text.size(); ++pos) {
    if (text[pos] == '\\') {
      ++pos;
    } else if (text[pos] == '(') {
      ++depth;
    } else if (text[pos] == ')' && --depth == 0) {
      return pos + 1;
    }
  }
  return std::string_view::npos;
}

// The end of a quoted string or domain literal opened at `pos - 1`; npos when it does not close.
size_t delimited_end(std::string_view text, size_t pos, char close) {
  for (; pos < text.size(); ++pos) {
    if (text[pos] == '\\') {
      ++pos;
    } else if (text[pos] == close) {
      return pos + 1;
    }
  }
  return std::string_view::npos;
}

// One token (or a comment, or white space, both skipped) starting at `pos`: its end, or npos.
size_t scan(std::string_view text, size_t pos, std::vector<Token>& tokens) {
  const char c = text[pos];
  if (is_space(c)) return pos + 1;
  if (c == '(') return comment_end(text, pos + 1);
  size_t end = pos + 1;
  if (c == '"' || c == '[') {
    end = delimited_end(text, pos + 1, c == '"' ? '"' : ']');
    if (end == std::string_view::npos) return end;
  } else if (c == ')' || c == ']' || c == '\\' || static_cast<unsigned char>(c) < 32) {
    return std::string_view::npos;  // nothing may start with these
  } else if (!is_special(c)) {
    while (end < text.size() && !is_special(text[end]) && !is_space(text[end]) &&
           static_cast<unsigned char>(text[end]) >= 32) {
      ++end;
    }
  }
  tokens.push_back({c == '"' || c == '[' || !is_special(c), text.substr(pos, end - pos)});
  return end;
}

std::optional<std::vector<Token>> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  for (size_t pos = 0; pos < text.size();) {
    pos = scan(text, pos, tokens);
    if (pos == std::string_view::npos) return std::nullopt;
  }
  return tokens;
}

// The tokens of an addr-spec (or of an angle-addr's content) put back together without the
// white space between them. Two words side by side ("jo bloggs@x") are no address.
std::optional<std::string> join(const std::vector<Token>& tokens, size_t begin, size_t end) {
  std::string out;
  bool previous_word = false;
  for (size_t i = begin; i < end; ++i) {
    const Token& token = tokens[i];
    if (token.word && previous_word) return std::nullopt;
    if (!token.word && token.text.find_first_of("@.,:") == std::string_view::npos) {
      return std::nullopt;
    }
    out.append(token.text);
    previous_word = token.word;
  }
  return out;
}

}  // namespace

std::optional<std::string> header_mailbox_path(std::string_view text) {
  const auto tokens = tokenize(text);
  if (!tokens || tokens->empty()) return std::nullopt;
  size_t open = 0;
  while (open < tokens->size() && (*tokens)[open].text != "<")
    ++open;
  if (open == tokens->size()) {  // a bare addr-spec
    const auto spec = join(*tokens, 0, tokens->size());
    if (!spec) return std::nullopt;
    return "<" + *spec + ">";
  }
  // name-addr: the display name is a phrase (words, and dots as obs-phrase allows).
  for (size_t i = 0; i < open; ++i) {
    if (!(*tokens)[i].word && (*tokens)[i].text != ".") return std::nullopt;
  }
  if (tokens->back().text != ">" || tokens->size() - open < 2) return std::nullopt;
  const auto inner = join(*tokens, open + 1, tokens->size() - 1);
  if (!inner) return std::nullopt;
  return "<" + *inner + ">";
}

}  // namespace aup
