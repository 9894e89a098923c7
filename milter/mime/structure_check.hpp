// Where GMime's reading of the MIME structure and a lenient client's (structure_scan) differ:
// first make GMime read the boundaries as clients do, then report what still differs.
#pragma once

#include <gmime/gmime.h>

#include <string>
#include <string_view>
#include <vector>

#include "mime/structure_scan.hpp"

namespace aup::mime {

// GMime converts a boundary to UTF-8 (8-bit bytes as Latin-1, RFC 2047 and RFC 2231 values
// decoded) and then finds no delimiter line, where a client matching the bytes as written finds
// every part. A copy of `raw` whose delimiter lines are rewritten to GMime's form of their
// boundary, when only the written form delimits parts; "" when no line needs it.
std::string align_delimiters(std::string_view raw, const StructureScan& scan);

// Why the parts GMime found in `message` are fewer than, or less certain than, what a lenient
// reader sees in the raw message; empty when they agree. Each makes the message uninspectable.
std::vector<std::string> structure_disagreements(const StructureScan& scan, GMimeMessage* message,
                                                 size_t max_parts);

}  // namespace aup::mime
