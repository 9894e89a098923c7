// Decoding of MIME leaf content and header text: transfer encoding off, charsets to UTF-8.
#pragma once

#include <gmime/gmime.h>

#include <functional>
#include <string>
#include <string_view>

namespace aup::mime {

// The part's content with its Content-Transfer-Encoding (base64, quoted-printable, uuencode)
// removed, at most `max_bytes` of it; `total_size` is the whole decoded size.
std::string decoded_bytes(GMimePart* part, size_t max_bytes, size_t& total_size);

// Identifies decoded content, so work done on it once can be found again.
inline size_t content_hash(std::string_view bytes) {
  return std::hash<std::string_view>{}(bytes);
}

// `bytes` in `charset` (may be null or unknown) converted to valid UTF-8. Unknown or lying
// charsets fall back to GMime's 8-bit guess (the user's locale charsets, then Latin-1), and any
// bytes that still are not UTF-8 (NUL included) become U+FFFD, so the result is always valid
// UTF-8 and never cut short.
std::string to_utf8(std::string_view bytes, const char* charset);

// True when `bytes` is valid UTF-8 without NUL bytes (as g_utf8_validate_len). Its leading
// ASCII is checked eight bytes at a time and only the rest by glib's byte loop: most mail text
// is ASCII, and this is asked of every text several times.
bool is_valid_utf8(std::string_view bytes) noexcept;

// Replaces invalid UTF-8 sequences and NUL bytes with U+FFFD.
std::string make_valid_utf8(std::string_view text);

// Removes characters that render as nothing (soft hyphen, zero-width space, non-joiner and
// joiner, word joiner, byte order mark), so "con<U+00AD>fidential" reads as a rule expects.
std::string drop_invisible(std::string text);

// Rewrites every run of RFC 2047 encoded words in a raw header value as one UTF-8 Q-encoded
// word, decoded and converted here with to_utf8's fallbacks. GMime 3.2.13 decodes adjacent
// B-encoded words with one shared base64 state, so a padded word swallows the words after it
// (GMime issue #133); after this rewrite GMime's own decoders see no B words at all.
std::string normalise_encoded_words(std::string_view raw_value);

// A raw (folded, possibly encoded) header value as UTF-8 text: unfolded, encoded words decoded
// as normalise_encoded_words does, white space between adjacent words dropped, invisible
// characters removed. Linear in the length of the value.
std::string decode_header_text(std::string_view raw_value);

}  // namespace aup::mime
