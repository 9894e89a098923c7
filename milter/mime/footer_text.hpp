// The text-level steps of adding a footer: appending to plain text (format=flowed kept valid),
// inserting into HTML, converting the footer to the part's charset and re-applying the part's
// transfer encoding.
#pragma once

#include <gmime/gmime.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/footer.hpp"

namespace aup::mime {

// `content` (decoded, any line ends) with a blank line and `footer` appended, in the content's
// own line-end style (`eol` when it has no line end). With `flowed`, footer lines get no
// trailing space and are space-stuffed (RFC 3676), so that no reader joins them to each other
// or to the text.
std::string append_plain(std::string_view content, std::string_view footer, bool flowed,
                         std::string_view eol);

// `fragment` before the last </body>, or at the end when there is none.
std::string insert_html(std::string_view content, std::string_view fragment, std::string_view eol);

// UTF-8 `text` in `charset` ("" or null: US-ASCII); nothing when it cannot be written there,
// or when the charset is not ASCII-compatible (UTF-16, UTF-32, UTF-7): bytes cannot simply be
// appended to such text.
std::optional<std::string> in_charset(std::string_view text, const char* charset);

// `decoded` in the transfer encoding (7bit, 8bit and binary: as is); the encoder's line ends
// become `eol`, the message's own.
std::string encode_content(std::string_view decoded, GMimeContentEncoding encoding,
                           std::string_view eol);

bool is_ascii(std::string_view text);

}  // namespace aup::mime
