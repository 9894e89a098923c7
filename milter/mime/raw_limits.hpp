// Limits that are checked on the raw bytes, before parsing: header field count and size, and
// line length. A hostile message can hold 100,000 header fields or a line of megabytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mime/mime_view.hpp"

namespace aup::mime {

// Why `raw` is past `limits`, one reason per limit; empty when within them.
std::vector<std::string> raw_limit_problems(std::string_view raw, const MimeLimits& limits);

}  // namespace aup::mime
