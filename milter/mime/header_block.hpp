// Editing the header fields of a message or MIME part as text, leaving the empty line and
// everything after it byte for byte as it was.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mime/footer.hpp"

namespace aup::mime {

// `text` (header fields, the empty line, then anything) with `changes` made: each named field
// replaced in place (later copies dropped), or added just before the empty line.
std::string rewrite_fields(std::string_view text, const std::vector<FieldChange>& changes);

// `text` without the fields whose names start with `prefix` (ASCII case-insensitive),
// continuation lines included.
std::string remove_fields_with_prefix(std::string_view text, std::string_view prefix);

// Where the body starts: after the first empty line (CRLF or LF); text.size() without one.
size_t body_offset(std::string_view text);

}  // namespace aup::mime
