#include "mime/header_block.hpp"

#include "mime/gmime_strings.hpp"

namespace aup::mime {
namespace {

std::string field_name(std::string_view line) {
  const size_t colon = line.find(':');
  return colon == std::string_view::npos ? "" : lower(std::string(line.substr(0, colon)));
}

bool is_empty_line(std::string_view line) {
  return line == "\r\n" || line == "\n";
}

bool is_continuation(std::string_view line) {
  return line.front() == ' ' || line.front() == '\t';
}

// Calls `keep(line)` for each header line until the empty line; returns where that line starts.
template <typename Keep>
size_t for_each_header_line(std::string_view text, Keep&& keep) {
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find('\n', at);
    const size_t next = end == std::string_view::npos ? text.size() : end + 1;
    const std::string_view line = text.substr(at, next - at);
    if (is_empty_line(line)) return at;
    keep(line);
    at = next;
  }
  return at;
}

}  // namespace

std::string rewrite_fields(std::string_view block, const std::vector<FieldChange>& changes) {
  const std::string eol = block.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";
  std::vector<bool> done(changes.size(), false);
  std::string out;
  bool dropping = false;
  size_t at = 0;
  while (at < block.size()) {
    const size_t end = block.find('\n', at);
    const size_t next = end == std::string_view::npos ? block.size() : end + 1;
    const std::string_view line = block.substr(at, next - at);
    at = next;
    if (line == "\r\n" || line == "\n") {  // the empty line: add what was not replaced
      for (size_t i = 0; i < changes.size(); ++i) {
        if (!done[i]) out += changes[i].name + ": " + changes[i].value + eol;
      }
      out.append(line);
      out.append(block.substr(at));
      return out;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (!dropping) out.append(line);
      continue;
    }
    dropping = false;
    const std::string name = field_name(line);
    for (size_t i = 0; i < changes.size(); ++i) {
      if (name != lower(changes[i].name)) continue;
      if (!done[i]) out += changes[i].name + ": " + changes[i].value + eol;
      done[i] = true;
      dropping = true;
    }
    if (!dropping) out.append(line);
  }
  return out;
}

std::string remove_fields_with_prefix(std::string_view text, std::string_view prefix) {
  const std::string wanted = lower(std::string(prefix));
  std::string out;
  bool dropping = false;
  const size_t rest = for_each_header_line(text, [&](std::string_view line) {
    if (!is_continuation(line)) dropping = field_name(line).starts_with(wanted);
    if (!dropping) out.append(line);
  });
  out.append(text.substr(rest));
  return out;
}

size_t body_offset(std::string_view text) {
  const size_t empty_line = for_each_header_line(text, [](std::string_view) {});
  if (empty_line >= text.size()) return text.size();
  return empty_line + (text.substr(empty_line, 2) == "\r\n" ? 2 : 1);
}

}  // namespace aup::mime
