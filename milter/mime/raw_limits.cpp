// One pass over the raw message, jumping from line end to line end.
#include "mime/raw_limits.hpp"

#include <fmt/format.h>

#include <cstring>

namespace aup::mime {
namespace {

struct RawShape {
  size_t header_fields = 0;
  size_t header_bytes = 0;  // up to the blank line that ends the header block
  size_t longest_line = 0;  // without its line end
};

bool blank(std::string_view line) {
  return line.empty() || line == "\r";
}

RawShape shape_of(std::string_view raw) {
  RawShape shape;
  bool in_header = true;
  for (size_t start = 0; start < raw.size();) {
    const void* found = std::memchr(raw.data() + start, '\n', raw.size() - start);
    const size_t end = found != nullptr
                           ? static_cast<size_t>(static_cast<const char*>(found) - raw.data())
                           : raw.size();
    const std::string_view line = raw.substr(start, end - start);
    shape.longest_line = std::max(shape.longest_line, line.size() - line.ends_with('\r'));
    if (in_header) {
      if (blank(line)) {
        in_header = false;
        shape.header_bytes = start;
      } else if (line.front() != ' ' && line.front() != '\t') {
        ++shape.header_fields;
      }
    }
    start = end + 1;
  }
  if (in_header) shape.header_bytes = raw.size();
  return shape;
}

}  // namespace

std::vector<std::string> raw_limit_problems(std::string_view raw, const MimeLimits& limits) {
  const RawShape shape = shape_of(raw);
  std::vector<std::string> problems;
  if (shape.header_fields > limits.max_header_fields)
    problems.push_back(fmt::format("more than {} header fields", limits.max_header_fields));
  if (shape.header_bytes > limits.max_header_bytes)
    problems.push_back(fmt::format("header block over {} bytes", limits.max_header_bytes));
  if (shape.longest_line > limits.max_line_bytes)
    problems.push_back(fmt::format("a line over {} bytes", limits.max_line_bytes));
  return problems;
}

}  // namespace aup::mime
