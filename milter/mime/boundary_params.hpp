// The boundary of a Content-Type field as its bytes are written, the way mail clients read it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aup::mime {

// The media type of an unfolded Content-Type value, lower case ("multipart/mixed"); "" if none.
std::string raw_media_type(std::string_view value);

// Every distinct boundary value of an unfolded Content-Type value, as raw bytes: quoted or
// token `boundary`, RFC 2231 `boundary*` (percent escapes undone) and `boundary*0`, `*1`...
// joined. GMime converts 8-bit and encoded values to UTF-8 before it matches delimiter lines;
// a client that compares the bytes as written splits the body where GMime does not, so both
// readings are needed. Hand-written because GMime offers parameters only after that conversion.
std::vector<std::string> raw_boundaries(std::string_view value);

}  // namespace aup::mime
