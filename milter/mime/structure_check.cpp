// Delimiter alignment before parsing and the part-count comparison after it.
#include "mime/structure_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "mime/gmime_runtime.hpp"

namespace aup::mime {
namespace {

// The boundary GMime will look for: the field given to its own parser, since the parser
// converts the field's bytes before reading the parameter (g_mime_content_type_parse alone
// does not).
std::string gmime_boundary(const std::string& field_value) {
  const std::string part = "Content-Type:" + field_value + "\n\n";
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(part.data(), part.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GPtr<GMimeObject> object(g_mime_parser_construct_part(parser.get(), nullptr));
  if (!object || !GMIME_IS_MULTIPART(object.get())) return "";
  const char* boundary = g_mime_multipart_get_boundary(GMIME_MULTIPART(object.get()));
  return boundary != nullptr ? boundary : "";
}

// Written form -> GMime's form, for declarations where only the written form delimits parts.
std::map<std::string, std::string> renamings(const StructureScan& scan) {
  std::map<std::string, std::string> renamed;
  for (const MultipartDecl& declaration : scan.multiparts) {
    std::vector<const std::string*> used;
    for (size_t i = 0; i < declaration.boundaries.size(); ++i) {
      if (declaration.delimiters[i] > 0) used.push_back(&declaration.boundaries[i]);
    }
    if (used.size() != 1) continue;  // none used, or an ambiguity left to the comparison
    const std::string gmime = gmime_boundary(declaration.field_value);
    if (!gmime.empty() && gmime != *used.front()) renamed.emplace(*used.front(), gmime);
  }
  return renamed;
}

bool only_space(std::string_view text) {
  return text.find_first_not_of(" \t") == std::string_view::npos;
}

// For a delimiter line (line end excluded) of a renamed boundary: GMime's form and the length
// of the written form it replaces; {nullptr, 0} for any other line.
std::pair<const std::string*, size_t> renaming_of(
    std::string_view line, const std::map<std::string, std::string>& renamed) {
  if (!line.starts_with("--")) return {nullptr, 0};
  const std::string_view rest = line.substr(2);
  for (const auto& [written, gmime] : renamed) {
    if (!rest.starts_with(written)) continue;
    const std::string_view tail = rest.substr(written.size());
    if (only_space(tail) || (tail.starts_with("--") && only_space(tail.substr(2))))
      return {&gmime, written.size()};
  }
  return {nullptr, 0};
}

size_t count_parts(GMimeObject* object, size_t cap, size_t depth = 0);

size_t count_children(GMimeObject* object, size_t cap, size_t depth) {
  if (depth > 1024) return 0;  // GMime's own nesting limit is lower
  size_t count = 0;
  if (GMIME_IS_MULTIPART(object)) {
    GMimeMultipart* multipart = GMIME_MULTIPART(object);
    const int children = g_mime_multipart_get_count(multipart);
    for (int i = 0; i < children && count <= cap; ++i)
      count += count_parts(g_mime_multipart_get_part(multipart, i), cap - count, depth + 1);
  } else if (GMIME_IS_MESSAGE_PART(object)) {
    GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
    GMimeObject* body = inner != nullptr ? g_mime_message_get_mime_part(inner) : nullptr;
    if (body != nullptr) count += count_parts(body, cap, depth + 1);
  }
  return count;
}

size_t count_parts(GMimeObject* object, size_t cap, size_t depth) {
  if (object == nullptr || cap == 0) return 0;
  return 1 + count_children(object, cap - 1, depth);
}

}  // namespace

std::string align_delimiters(std::string_view raw, const StructureScan& scan) {
  const auto renamed = renamings(scan);
  if (renamed.empty()) return "";
  std::string aligned;
  aligned.reserve(raw.size() + raw.size() / 16);
  for (size_t start = 0; start < raw.size();) {
    const void* found = std::memchr(raw.data() + start, '\n', raw.size() - start);
    const size_t end = found != nullptr
                           ? static_cast<size_t>(static_cast<const char*>(found) - raw.data()) + 1
                           : raw.size();
    const std::string_view line = raw.substr(start, end - start);
    const auto [gmime, written] = renaming_of(line.substr(0, line.find_first_of("\r\n")), renamed);
    if (gmime != nullptr) {
      aligned += "--" + *gmime;
      aligned += line.substr(2 + written);  // "--" after a closing one, and the line end
    } else {
      aligned += line;
    }
    start = end;
  }
  return aligned;
}

std::vector<std::string> structure_disagreements(const StructureScan& scan, GMimeMessage* message,
                                                 size_t max_parts) {
  std::vector<std::string> found;
  const size_t cap = max_parts + 1;
  const size_t lenient = std::min(scan.parts, cap);
  GMimeObject* body = message != nullptr ? g_mime_message_get_mime_part(message) : nullptr;
  const size_t parsed = body != nullptr ? count_children(body, cap, 0) : 0;
  if (lenient > parsed) {
    found.push_back(fmt::format(
        "a mail client splitting on the boundaries as written finds {} MIME parts, the parser {}",
        lenient, parsed));
  }
  if (scan.guessed > 0) {
    found.push_back(
        "a multipart none of whose boundaries delimits a part holds lines that look like "
        "delimiters followed by part headers");
  }
  return found;
}

}  // namespace aup::mime
