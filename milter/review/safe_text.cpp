#include "review/safe_text.hpp"

#include <fmt/format.h>

namespace aup::review {
namespace {

// Length of the UTF-8 sequence at `at` when it is one of the code points to escape: C1
// controls (U+0080-U+009F), the Arabic letter mark (U+061C), LRM and RLM (U+200E, U+200F),
// line and paragraph separators (U+2028, U+2029), bidi embeddings, overrides and isolates
// (U+202A-U+202E, U+2066-U+2069) and the byte-order mark (U+FEFF).
size_t dangerous_sequence(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) {
    return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u;
  };
  const unsigned b0 = byte(at), b1 = byte(at + 1), b2 = byte(at + 2);
  if (b0 == 0xC2 && b1 >= 0x80 && b1 <= 0x9F) return 2;
  if (b0 == 0xD8 && b1 == 0x9C) return 2;
  if (b0 == 0xE2 && b1 == 0x80 && (b2 == 0x8E || b2 == 0x8F || (b2 >= 0xA8 && b2 <= 0xAE)))
    return 3;
  if (b0 == 0xE2 && b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9) return 3;
  if (b0 == 0xEF && b1 == 0xBB && b2 == 0xBF) return 3;
  return 0;
}

}  // namespace

std::string terminal_safe(std::string_view utf8, bool multiline) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (multiline && (c == '\n' || c == '\t')) {
      out.push_back(static_cast<char>(c));
    } else if (c == '\r' && multiline) {
      continue;  // CRLF shows as a line break
    } else if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else if (const size_t length = dangerous_sequence(utf8, i); length > 0) {
      const auto at = [&](size_t k) { return static_cast<unsigned>(utf8[i + k]) & 0x3Fu; };
      const unsigned code_point =
          length == 2 ? ((c & 0x1Fu) << 6) | at(1) : ((c & 0x0Fu) << 12) | (at(1) << 6) | at(2);
      out += fmt::format("\\u{{{:04X}}}", code_point);
      i += length - 1;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace aup::review
