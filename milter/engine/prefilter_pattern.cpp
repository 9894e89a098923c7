// A single left-to-right pass over the pattern. It only ever widens what a piece matches, and
// gives up on any syntax it does not know, so the result is a superset or nothing.
#include "engine/prefilter_pattern.hpp"

#include <algorithm>
#include <cctype>

namespace aup {
namespace {

constexpr std::string_view kAny = "[\\s\\S]";  // any one character, newline included
constexpr unsigned long kLargestCount = 32;    // larger {n,m} counts become *

// Whether any number in "n", "n," or "n,m" exceeds `limit` (no overflow: digits are capped).
bool count_over(std::string_view counts, unsigned long limit) {
  unsigned long value = 0;
  for (const char c : counts) {
    if (c == ',') {
      value = 0;
      continue;
    }
    value = std::min(value * 10 + static_cast<unsigned long>(c - '0'), limit + 1);
    if (value > limit) return true;
  }
  return false;
}

bool is_quantifier_start(char c) {
  return c == '*' || c == '+' || c == '?' || c == '{';
}

// Whether any part of the pattern may be caseless: "(?i", "(?mi:"... Over-eager is harmless.
bool may_be_caseless(std::string_view pattern) {
  for (size_t at = pattern.find("(?"); at != std::string_view::npos;
       at = pattern.find("(?", at + 2)) {
    size_t end = at + 2;
    while (end < pattern.size() && std::isalpha(static_cast<unsigned char>(pattern[end])) != 0) {
      if (pattern[end] == 'i') return true;
      ++end;
    }
  }
  return false;
}

bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

class Loosener {
 public:
  // Vectorscan's Unicode case tables are older than PCRE2's (Cherokee, Georgian, Adlam and
  // some Latin letters fold only in PCRE2), so under caseless matching a non-ASCII letter in
  // the pattern becomes "any character" too. ASCII letters fold alike in both, Kelvin sign and
  // long s included (tests/unit/test_prefilter.cpp compares every cased character).
  explicit Loosener(std::string_view pattern) : p_(pattern), caseless_(may_be_caseless(pattern)) {}

  std::optional<std::string> run() {
    if (p_.find('\0') != std::string_view::npos) return std::nullopt;  // Vectorscan takes C strings
    while (at_ < p_.size()) {
      if (!step()) return std::nullopt;
    }
    if (depth_ != 0) return std::nullopt;
    return out_;
  }

 private:
  char peek(size_t ahead = 0) const { return at_ + ahead < p_.size() ? p_[at_ + ahead] : '\0'; }

  bool step() {
    switch (peek()) {
      case '\\':
        return escape();
      case '[':
        return char_class();
      case '(':
        return group();
      case ')':
        return close_group();
      case '*':
      case '+':
      case '?':
        out_ += p_[at_++];
        return quantifier_suffix();
      case '{':
        return brace();
      default:
        return literal();
    }
  }

  bool literal() {
    if (static_cast<unsigned char>(p_[at_]) < 0x80 || !caseless_) {
      out_ += p_[at_++];
      return true;
    }
    ++at_;
    while (at_ < p_.size() && is_utf8_continuation(p_[at_]))
      ++at_;
    out_ += kAny;
    return true;
  }

  // Whether a quantifier comes next, past any comments (PCRE2 skips them): a dropped assertion
  // must not leave it to apply to what came before.
  bool quantifier_follows() const {
    size_t next = at_;
    while (p_.substr(next).starts_with("(?#")) {
      const size_t close = p_.find(')', next);
      if (close == std::string_view::npos) return true;
      next = close + 1;
    }
    return next < p_.size() && is_quantifier_start(p_[next]);
  }

  // Lazy stays lazy; possessive becomes ordinary, which can only match more.
  bool quantifier_suffix() {
    if (peek() == '?') {
      out_ += p_[at_++];
    } else if (peek() == '+') {
      ++at_;
    }
    return true;
  }

  // {n}, {n,}, {n,m} are quantifiers; any other brace is a literal in PCRE2, so say so.
  bool brace() {
    size_t end = at_ + 1;
    const auto digits_at = [&](size_t& position) {
      const size_t start = position;
      while (position < p_.size() && std::isdigit(static_cast<unsigned char>(p_[position])) != 0)
        ++position;
      return position - start;
    };
    const size_t digits = digits_at(end);
    if (digits > 0 && end < p_.size() && p_[end] == ',') {
      ++end;
      digits_at(end);
    }
    if (digits == 0 || end >= p_.size() || p_[end] != '}') {
      // "{,3}" and "{ 2 }" are literals in PCRE2 10.42 but quantifiers from 10.43 on.
      const size_t after = p_.find_first_not_of(' ', at_ + 1);
      if (after != std::string_view::npos &&
          (p_[after] == ',' || std::isdigit(static_cast<unsigned char>(p_[after])) != 0)) {
        return false;
      }
      out_ += "\\{";
      ++at_;
      return true;
    }
    // A large count makes a large automaton (slow to build); any number of repeats is wider.
    const bool large = count_over(p_.substr(at_ + 1, end - at_ - 1), kLargestCount);
    out_ += large ? std::string_view("*") : p_.substr(at_, end + 1 - at_);
    at_ = end + 1;
    return quantifier_suffix();
  }

  // Skips "{...}" after \p, \x and the like; false when it is not closed.
  bool skip_braces(size_t& position) const {
    if (position >= p_.size() || p_[position] != '{') return true;
    const size_t close = p_.find('}', position);
    if (close == std::string_view::npos) return false;
    position = close + 1;
    return true;
  }

  bool escape() {
    const char c = peek(1);
    if (c == '\0') return false;
    const std::string_view kept = "tnrfeaAzZ";
    const std::string_view any_one = "wWdDsShHvVN";
    if (c == 'N' && peek(2) == '{') return false;  // \N{U+hh}: a code point, not "any"
    if (any_one.find(c) != std::string_view::npos) {
      out_ += kAny;
      at_ += 2;
      return true;
    }
    if (c == 'p' || c == 'P') {
      size_t end = at_ + 2;
      if (peek(2) == '{') {
        if (!skip_braces(end)) return false;
      } else {
        ++end;  // one-letter property: \pL
      }
      out_ += kAny;
      at_ = end;
      return true;
    }
    if (c == 'R' || c == 'X') {  // a line break is one or two characters; a grapheme, several
      // In a group, so that a quantifier after it applies to the whole.
      out_ += "(?:" + std::string(kAny) + (c == 'R' ? "{1,2})" : "+)");
      at_ += 2;
      return true;
    }
    if (c == 'b' || c == 'B') {  // an assertion matches no characters: dropping it widens
      at_ += 2;
      return !quantifier_follows();
    }
    if (c == 'x') return copy_hex_escape();
    if (c == '0') return copy_octal_escape();
    if (kept.find(c) != std::string_view::npos ||
        (static_cast<unsigned char>(c) < 0x80 &&
         std::isalnum(static_cast<unsigned char>(c)) == 0)) {
      out_ += p_.substr(at_, 2);
      at_ += 2;
      return true;
    }
    return false;  // back references, \Q..\E, \K, \G, \c, \o, \u... and escaped non-ASCII
  }

  bool copy_hex_escape() {
    size_t end = at_ + 2;
    if (peek(2) == '{') {
      if (!skip_braces(end)) return false;
    } else {
      while (end < at_ + 4 && end < p_.size() &&
             std::isxdigit(static_cast<unsigned char>(p_[end])) != 0)
        ++end;
    }
    const std::string_view escape = p_.substr(at_, end - at_);
    out_ += caseless_ && !is_ascii_hex_escape(escape) ? kAny : escape;
    at_ = end;
    return true;
  }

  // \x41, \x{7f}: at most 0x7F. Anything longer or larger counts as non-ASCII.
  static bool is_ascii_hex_escape(std::string_view escape) {
    std::string digits;
    for (const char c : escape.substr(2)) {
      if (std::isxdigit(static_cast<unsigned char>(c)) != 0) digits += c;
    }
    return !digits.empty() && digits.size() <= 6 && std::stoul(digits, nullptr, 16) < 0x80;
  }

  bool copy_octal_escape() {
    size_t end = at_ + 2;
    while (end < at_ + 4 && end < p_.size() && p_[end] >= '0' && p_[end] <= '7')
      ++end;
    out_ += p_.substr(at_, end - at_);
    at_ = end;
    return true;
  }

  // A class made of plain characters and ranges is kept; one that names a character type or
  // a POSIX class becomes "any character" (for a negated class too: any is wider still).
  bool char_class() {
    for (const std::string_view boundary : {"[[:<:]]", "[[:>:]]"}) {
      if (p_.substr(at_).starts_with(boundary)) {  // word start and end: assertions, dropped
        at_ += boundary.size();
        return !quantifier_follows();
      }
    }
    size_t end = at_ + 1;
    if (end < p_.size() && p_[end] == '^') ++end;
    if (end < p_.size() && p_[end] == ']') ++end;  // a leading ] is a literal
    bool loosen = false;
    while (end < p_.size() && p_[end] != ']') {
      if (p_[end] == '[' && end + 1 < p_.size() && p_[end + 1] == ':') {
        const size_t close = p_.find(":]", end + 2);
        // PCRE2 ends the POSIX name at the first "]"; "[[:a]|:]]" is no POSIX class.
        if (close == std::string_view::npos || p_.find(']', end + 2) < close) return false;
        loosen = true;
        end = close + 2;
        continue;
      }
      if (p_[end] != '\\') {
        if (caseless_ && static_cast<unsigned char>(p_[end]) >= 0x80) loosen = true;
        ++end;
        continue;
      }
      if (end + 1 >= p_.size()) return false;
      const char c = p_[end + 1];
      if (std::string_view("wWdDsShHvVpPN").find(c) != std::string_view::npos) loosen = true;
      if (std::string_view("QEcou").find(c) != std::string_view::npos) return false;
      if (caseless_ && c >= '1' && c <= '7') loosen = true;  // octal, up to \777: maybe non-ASCII
      end += 2;
      if (c == 'x') {
        const size_t start = end - 2;
        if (!skip_braces(end)) return false;
        while (p_[end - 1] != '}' && end < start + 4 && end < p_.size() &&
               std::isxdigit(static_cast<unsigned char>(p_[end])) != 0)
          ++end;
        if (caseless_ && !is_ascii_hex_escape(p_.substr(start, end - start))) loosen = true;
      }
      if (c == 'p' || c == 'P') {
        if (!skip_braces(end)) return false;
      }
    }
    if (end >= p_.size()) return false;
    out_ += loosen ? kAny : p_.substr(at_, end + 1 - at_);
    at_ = end + 1;
    return true;
  }

  bool group() {
    if (peek(1) == '*') return false;  // (*VERB)
    if (peek(1) != '?') {
      out_ += p_[at_++];
      ++depth_;
      return true;
    }
    const std::string_view rest = p_.substr(at_ + 2);
    if (rest.starts_with(":")) {
      out_ += "(?:";
      at_ += 3;
      ++depth_;
      return true;
    }
    for (const std::string_view opener : {"=", "!", "<=", "<!"}) {
      if (rest.starts_with(opener)) return lookaround(2 + opener.size());
    }
    if (rest.starts_with("#")) {  // a comment
      const size_t close = p_.find(')', at_);
      if (close == std::string_view::npos) return false;
      at_ = close + 1;
      return true;
    }
    if (rest.starts_with("<") || rest.starts_with("P<") || rest.starts_with("'")) {
      return named_group(rest.starts_with("P<") ? at_ + 3 : at_ + 2);
    }
    return option_setting();
  }

  // A lookahead or lookbehind matches no characters, so leaving it out can only widen the
  // pattern; keeping a negative one with its contents widened would narrow it instead.
  bool lookaround(size_t opener_size) {
    const size_t kept = out_.size();
    const int outside = depth_;
    at_ += opener_size;
    ++depth_;
    while (at_ < p_.size() && depth_ > outside) {
      if (!step()) return false;
    }
    if (depth_ > outside) return false;  // not closed
    out_.resize(kept);
    return !quantifier_follows();
  }

  bool close_group() {
    if (depth_ == 0) return false;
    --depth_;
    out_ += p_[at_++];
    return true;
  }

  // (?<name>...), (?P<name>...), (?'name'...): a plain group, since nothing refers to it here.
  bool named_group(size_t name_start) {
    const char close = p_[name_start] == '\'' ? '\'' : '>';
    const size_t end = p_.find(close, name_start + 1);
    if (end == std::string_view::npos) return false;
    out_ += "(?:";
    at_ = end + 1;
    ++depth_;
    return true;
  }

  // (?i), (?-i:...), (?ms)...: kept. Extended mode (x) and the rest are not understood.
  bool option_setting() {
    size_t end = at_ + 2;
    while (end < p_.size() && std::string_view("ims-").find(p_[end]) != std::string_view::npos)
      ++end;
    if (end >= p_.size() || (p_[end] != ')' && p_[end] != ':') || end == at_ + 2) return false;
    if (p_[end] == ':') ++depth_;  // (?i:...) opens a group; (?i) does not
    out_ += p_.substr(at_, end + 1 - at_);
    at_ = end + 1;
    return true;
  }

  std::string_view p_;
  const bool caseless_;
  size_t at_ = 0;
  int depth_ = 0;  // groups open at `at_`
  std::string out_;
};

}  // namespace

std::optional<std::string> loosen_for_prefilter(std::string_view pattern) {
  return Loosener(pattern).run();
}

}  // namespace aup
