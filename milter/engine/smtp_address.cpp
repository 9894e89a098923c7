// A recursive-descent reader of the RFC 5321 4.1.2 grammar (with RFC 6531 UTF-8). Written
// here because the libraries at hand read header addresses (RFC 5322) and read them
// leniently: an envelope address that is not exactly valid must not be guessed at.
#include "engine/smtp_address.hpp"

#include <optional>

#include "engine/address_domain.hpp"
#include "mime/text_decode.hpp"

namespace aup {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}
  bool at_end() const { return pos_ >= text_.size(); }
  unsigned char peek() const { return at_end() ? 0 : static_cast<unsigned char>(text_[pos_]); }
  char next() { return text_[pos_++]; }
  bool take(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

bool is_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5322 atext, plus any non-ASCII byte (RFC 6531 UTF8-non-ascii; validity checked once).
bool is_atext(unsigned char c) {
  if (is_alnum(c) || c >= 0x80) return true;
  constexpr std::string_view symbols = "!#$%&'*+-/=?^_`{|}~";
  return c != 0 && symbols.find(static_cast<char>(c)) != std::string_view::npos;
}

// Dot-string = Atom *("." Atom): no empty atom, so no leading, trailing or double dot.
std::optional<std::string> read_dot_string(Reader& in) {
  std::string out;
  while (true) {
    const size_t atom_start = out.size();
    while (is_atext(in.peek()))
      out.push_back(in.next());
    if (out.size() == atom_start) return std::nullopt;
    if (!in.take('.')) return out;
    out.push_back('.');
  }
}

// The content of a Quoted-string, unescaped. qtextSMTP is %d32-33 / %d35-91 / %d93-126 (and
// UTF-8); quoted-pairSMTP is "\" followed by %d32-126.
std::optional<std::string> read_quoted(Reader& in) {
  std::string out;
  while (!in.at_end()) {
    auto c = static_cast<unsigned char>(in.next());
    if (c == '"') return out;
    if (c == '\\') {
      if (in.at_end()) return std::nullopt;
      c = static_cast<unsigned char>(in.next());
      if (c < 32 || c > 126) return std::nullopt;
    } else if (c < 32 || c == 127) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(c));
  }
  return std::nullopt;  // no closing quote
}

// "jo"@x and jo@x are one mailbox: write the quoted form only when it is needed.
std::string canonical_local(const std::string& content) {
  Reader probe(content);
  if (read_dot_string(probe) && probe.at_end()) return content;
  std::string out = "\"";
  for (const char c : content) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::optional<std::string> read_local_part(Reader& in) {
  if (!in.take('"')) return read_dot_string(in);
  const auto content = read_quoted(in);
  if (!content) return std::nullopt;
  return canonical_local(*content);
}

// Domain (LDH or U-labels) or, when `literal_allowed`, an address literal.
bool read_domain(Reader& in, bool literal_allowed, MailAddress& out) {
  std::string text;
  if (literal_allowed && in.take('[')) {
    text.push_back('[');
    while (!in.at_end() && in.peek() != ']' && in.peek() >= 33 && in.peek() <= 126 &&
           in.peek() != '[' && in.peek() != '\\') {
      text.push_back(in.next());
    }
    if (!in.take(']')) return false;
    text.push_back(']');
    out.literal = true;
  } else {
    while (!in.at_end() &&
           (is_alnum(in.peek()) || in.peek() >= 0x80 || in.peek() == '-' || in.peek() == '.')) {
      text.push_back(in.next());
    }
  }
  const auto key = out.literal ? address_literal_key(text) : domain_key(text);
  if (!key) return false;
  if (!out.literal && text.back() == '.') text.pop_back();
  out.domain = std::move(text);
  out.domain_key = *key;
  return true;
}

std::optional<MailAddress> read_mailbox(Reader& in) {
  MailAddress address;
  auto local = read_local_part(in);
  if (!local || !in.take('@')) return std::nullopt;
  address.local = std::move(*local);
  if (!read_domain(in, true, address)) return std::nullopt;
  return address;
}

// A-d-l = At-domain *( "," At-domain ) ":"; the domains must be valid, then are dropped.
bool skip_route(Reader& in) {
  do {
    MailAddress hop;
    if (!in.take('@') || !read_domain(in, false, hop)) return false;
  } while (in.take(','));
  return in.take(':');
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

Path mailbox_path(std::optional<MailAddress> mailbox) {
  if (!mailbox) return {};
  return {PathKind::mailbox, std::move(*mailbox)};
}

}  // namespace

Path parse_smtp_path(std::string_view text) {
  text = trim(text);
  if (text.empty() || !mime::is_valid_utf8(text)) return {};  // also refuses NUL bytes
  Reader in(text);
  if (!in.take('<')) {
    auto mailbox = read_mailbox(in);
    return in.at_end() ? mailbox_path(std::move(mailbox)) : Path{};
  }
  if (in.take('>')) return in.at_end() ? Path{PathKind::null_path, {}} : Path{};
  if (in.peek() == '@' && !skip_route(in)) return {};
  auto mailbox = read_mailbox(in);
  if (!in.take('>') || !in.at_end()) return {};
  return mailbox_path(std::move(mailbox));
}

}  // namespace aup
