// Parser warning texts and the defence against "=?"-stuffed fields.
#include "mime/parser_problems.hpp"

namespace aup::mime {

const char* warning_text(GMimeParserWarning code) {
  switch (code) {
    case GMIME_WARN_DUPLICATED_HEADER:
      return "duplicated header";
    case GMIME_WARN_DUPLICATED_PARAMETER:
      return "duplicated parameter";
    case GMIME_WARN_UNENCODED_8BIT_HEADER:
      return "unencoded 8-bit header";
    case GMIME_WARN_INVALID_CONTENT_TYPE:
      return "invalid content type";
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
      return "invalid RFC 2047 header value";
    case GMIME_WARN_MALFORMED_MULTIPART:
      return "malformed multipart";
    case GMIME_WARN_TRUNCATED_MESSAGE:
      return "truncated message";
    case GMIME_WARN_MALFORMED_MESSAGE:
      return "malformed message";
    case GMIME_CRIT_INVALID_HEADER_NAME:
      return "invalid header name";
    case GMIME_CRIT_CONFLICTING_HEADER:
      return "conflicting header";
    case GMIME_CRIT_CONFLICTING_PARAMETER:
      return "conflicting parameter";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
      return "multipart without boundary";
    case GMIME_WARN_INVALID_PARAMETER:
      return "invalid parameter";
    case GMIME_WARN_INVALID_ADDRESS_LIST:
      return "invalid address list";
    case GMIME_CRIT_NESTING_OVERFLOW:
      return "MIME nesting overflow";
    case GMIME_WARN_PART_WITHOUT_CONTENT:
      return "part without content";
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
      return "part without headers or content";
  }
  return "parser warning";
}

bool makes_malformed(GMimeParserWarning code) {
  switch (code) {
    case GMIME_WARN_DUPLICATED_HEADER:
    case GMIME_WARN_DUPLICATED_PARAMETER:
    case GMIME_WARN_UNENCODED_8BIT_HEADER:
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
    case GMIME_WARN_INVALID_ADDRESS_LIST:
    case GMIME_WARN_PART_WITHOUT_CONTENT:
      return false;
    default:
      return true;
  }
}

// Jumps from line end to line end and from '=' to '=' (memchr) rather than looking at every
// byte: it reads the whole message, bodies included.
std::vector<std::pair<size_t, size_t>> hostile_fields(std::string_view raw) {
  std::vector<std::pair<size_t, size_t>> found;  // [begin, end) of each field
  constexpr size_t npos = std::string_view::npos;
  size_t begin = 0;
  size_t count = 0;
  size_t newline = raw.find('\n');
  size_t equals = raw.find('=');
  while (newline != npos || equals != npos) {
    if (equals < newline) {
      if (equals + 1 < raw.size() && raw[equals + 1] == '?') ++count;
      equals = raw.find('=', equals + 1);
      continue;
    }
    const size_t i = newline;
    newline = raw.find('\n', i + 1);
    if (i + 1 >= raw.size() || raw[i + 1] == ' ' || raw[i + 1] == '\t') continue;  // folded
    if (count > kMaxWordStarts) found.emplace_back(begin, i);
    begin = i + 1;
    count = 0;
  }
  if (count > kMaxWordStarts) found.emplace_back(begin, raw.size());
  return found;
}

std::string defuse_fields(std::string_view raw,
                          const std::vector<std::pair<size_t, size_t>>& fields) {
  std::string copy(raw);
  for (const auto& [begin, end] : fields) {
    for (size_t i = begin; i + 1 < end; ++i) {
      if (copy[i] == '=' && copy[i + 1] == '?') copy[i + 1] = ' ';
    }
  }
  return copy;
}

}  // namespace aup::mime
