// Line and column of every value in a JSON text, keyed by JSON pointer, so that loader
// messages can say "file:line:col" (nlohmann/json 3.11 does not keep positions).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace aup {

struct TextPosition {
  int line = 1;
  int column = 1;
};

// `text` must already have parsed as JSON. Keys are RFC 6901 pointers ("" is the root).
std::map<std::string, TextPosition> index_json_positions(std::string_view text);

// How deeply arrays and objects nest in `text` (strings skipped); the loader refuses deep
// files before any recursive walk sees them.
size_t max_nesting_depth(std::string_view text);

// The line and column of byte `offset` in `text`.
TextPosition position_of_offset(std::string_view text, size_t offset);

}  // namespace aup
