// What GMime's parser complains about, and defences against input that makes it slow.
#pragma once

#include <gmime/gmime.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aup::mime {

const char* warning_text(GMimeParserWarning code);

// Cosmetic problems (duplicated or 8-bit headers) are common in real mail and do not make the
// structure ambiguous; the rest mean another reader might see a different message.
bool makes_malformed(GMimeParserWarning code);

// GMime 3.2.13 decodes a field's encoded words in time quadratic in the number of "=?" in it.
// No real field holds more than kMaxWordStarts of them.
constexpr size_t kMaxWordStarts = 1000;

// [begin, end) of each field (or folded body line) with more than kMaxWordStarts "=?".
std::vector<std::pair<size_t, size_t>> hostile_fields(std::string_view raw);

// A copy of `raw` whose "=?" in `fields` became "= ", so GMime leaves those words encoded.
std::string defuse_fields(std::string_view raw,
                          const std::vector<std::pair<size_t, size_t>>& fields);

}  // namespace aup::mime
