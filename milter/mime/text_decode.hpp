// Decoding of MIME leaf content: transfer encoding off, then the declared charset to UTF-8.
#pragma once

#include <gmime/gmime.h>

#include <string>
#include <string_view>

namespace aup::mime {

// The part's content with its Content-Transfer-Encoding (base64, quoted-printable, uuencode)
// removed. Stops once `max_bytes` are decoded and sets `truncated`.
std::string decoded_bytes(GMimePart* part, size_t max_bytes, bool& truncated);

// `bytes` in `charset` (may be null or unknown) converted to valid UTF-8. Unknown or lying
// charsets fall back to GMime's 8-bit guess (the user's locale charsets, then Latin-1), and any
// bytes that still are not UTF-8 become U+FFFD, so the result is always valid UTF-8.
std::string to_utf8(std::string_view bytes, const char* charset);

// Replaces invalid UTF-8 sequences with U+FFFD.
std::string make_valid_utf8(std::string_view text);

}  // namespace aup::mime
