// Builds a MimeView from raw bytes with GMime, walking the part tree within MimeLimits.
#include "mime/mime_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <utility>

#include "mime/gmime_runtime.hpp"
#include "mime/gmime_strings.hpp"
#include "mime/html_text.hpp"
#include "mime/parser_problems.hpp"
#include "mime/part_names.hpp"
#include "mime/raw_limits.hpp"
#include "mime/structure_check.hpp"
#include "mime/text_decode.hpp"

namespace aup::mime {
namespace {

// Offline files have LF line ends and the MTA hands over CRLF; rules must see the same text.
std::string unify_line_ends(std::string text) {
  size_t out = 0;
  for (size_t in = 0; in < text.size(); ++in) {
    if (text[in] == '\r' && in + 1 < text.size() && text[in + 1] == '\n') continue;
    text[out++] = text[in];
  }
  text.resize(out);
  return text;
}

// The text a reader sees: UTF-8, LF line ends, nothing invisible.
std::string readable_text(std::string_view bytes, const char* charset) {
  return drop_invisible(unify_line_ends(to_utf8(bytes, charset)));
}

std::string join_path(const std::string& prefix, int index) {
  const std::string number = std::to_string(index);
  return prefix.empty() ? number : prefix + "." + number;
}

std::string mime_type_of(GMimeObject* object) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  if (type == nullptr) return "application/octet-stream";
  GString_ text(g_mime_content_type_get_mime_type(type));
  return text.get() != nullptr ? lower(text.get()) : "application/octet-stream";
}

struct ParseState {
  MimeView& view;
  bool truncated = false;  // judged after parsing, see truncation_is_malformed
};

void add_problem(MimeView& view, gint64 offset, GMimeParserWarning code, const gchar* item) {
  if (view.problems.size() >= 50) return;  // a hostile message can raise thousands
  std::string problem = std::string(warning_text(code)) + " at offset " + std::to_string(offset);
  if (item != nullptr) problem += ": " + make_valid_utf8(std::string_view(item).substr(0, 80));
  view.problems.push_back(std::move(problem));
}

void on_parser_warning(gint64 offset, GMimeParserWarning code, const gchar* item, gpointer data) {
  auto* state = static_cast<ParseState*>(data);
  if (code == GMIME_WARN_TRUNCATED_MESSAGE) {
    state->truncated = true;
    return;
  }
  if (makes_malformed(code)) state->view.malformed = true;
  if (code == GMIME_CRIT_NESTING_OVERFLOW && state->view.uninspectable.empty())
    state->view.uninspectable.push_back("MIME nesting deeper than the parser reads");
  add_problem(state->view, offset, code, item);
}

// GMime calls a message that ends inside its header block truncated, but RFC 5322 makes the
// body optional: a header-only message is complete. A multipart cut short is not.
bool truncation_is_malformed(GMimeMessage* message) {
  return !GMIME_IS_PART(g_mime_message_get_mime_part(message));
}

void append_mailboxes(InternetAddressList* list, std::vector<Mailbox>& out, int depth = 0) {
  if (list == nullptr || depth > 4) return;
  const int count = internet_address_list_length(list);
  for (int i = 0; i < count; ++i) {
    InternetAddress* address = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(address)) {
      append_mailboxes(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)), out,
                       depth + 1);
    } else if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
      out.push_back({safe(internet_address_get_name(address)),
                     safe(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)))});
    }
  }
}

// A limit reached: the problem once, and the content it leaves unseen as uninspectable (the
// first few of each: a message made of 10,000 oversized parts needs no 10,000 reasons).
void record_limit(MimeView& view, std::string reason, std::string_view consequence) {
  constexpr size_t kReasonsKept = 20;
  auto& problems = view.problems;
  view.limit_exceeded = true;
  if (std::find(problems.begin(), problems.end(), reason) != problems.end()) return;
  if (view.uninspectable.size() < kReasonsKept)
    view.uninspectable.push_back(fmt::format("{}: {}", reason, consequence));
  if (problems.size() < 5 * kReasonsKept) problems.push_back(std::move(reason));
}

// The structure read differently by GMime and by a lenient client: what the client shows may
// never have reached the rules, so it is uninspectable (held), not merely malformed.
void record_disagreement(MimeView& view, std::string reason) {
  view.malformed = true;
  if (view.uninspectable.size() < 20)
    view.uninspectable.push_back(reason +
                                 "; parts a mail client shows may not have been inspected");
  if (view.problems.size() < 100) view.problems.push_back(std::move(reason));
}

class Walker {
 public:
  Walker(const MimeLimits& limits, MimeView& view) : limits_(limits), view_(view) {}

  // The body of a message: a multipart's children are numbered from the message's prefix,
  // a single part is "prefix.1", as IMAP numbers them.
  void walk_body(GMimeObject* body, const std::string& prefix, size_t depth, size_t msg_depth) {
    if (body == nullptr) return;
    if (GMIME_IS_MULTIPART(body)) {
      walk_children(GMIME_MULTIPART(body), prefix, depth, msg_depth);
    } else {
      walk_part(body, join_path(prefix, 1), depth, msg_depth);
    }
  }

 private:
  // Too deep skips that subtree only, so a deep decoy cannot hide the parts after it; too many
  // parts ends the walk.
  bool within_limits(size_t depth) {
    if (parts_exhausted_) return false;
    if (depth > limits_.max_depth) {
      return note_limit("MIME nesting deeper than " + std::to_string(limits_.max_depth));
    }
    if (++parts_seen_ > limits_.max_parts) {
      parts_exhausted_ = true;
      return note_limit("more than " + std::to_string(limits_.max_parts) + " MIME parts");
    }
    return true;
  }

  bool note_limit(std::string reason) {
    record_limit(view_, std::move(reason), "the parts beyond it were not inspected");
    return false;
  }

  void walk_children(GMimeMultipart* multipart, const std::string& prefix, size_t depth,
                     size_t msg_depth) {
    const int count = g_mime_multipart_get_count(multipart);
    if (count == 0) add_orphaned_body(multipart, join_path(prefix, 1), msg_depth);
    for (int i = 0; i < count && !parts_exhausted_; ++i) {
      walk_part(g_mime_multipart_get_part(multipart, i), join_path(prefix, i + 1), depth + 1,
                msg_depth);
    }
  }

  // Without a (matching) boundary GMime keeps the whole body as the prologue. Readers that
  // guess differently may show it, so rules see it as text.
  void add_orphaned_body(GMimeMultipart* multipart, const std::string& path, size_t msg_depth) {
    view_.malformed = true;
    const char* prologue = g_mime_multipart_get_prologue(multipart);
    if (prologue == nullptr || *prologue == '\0') return;
    view_.problems.push_back("multipart without parts; part " + path + " is its raw body");
    const std::string_view raw = std::string_view(prologue).substr(0, limits_.max_text_bytes);
    view_.text_parts.push_back({path, "text/plain", readable_text(raw, nullptr), msg_depth, false,
                                "", std::string(raw.substr(0, kTextHeadBytes)), "", 0, 0});
  }

  // A part's own header fields, or an attached message's (GMime keeps those on the message).
  bool too_many_fields(GMimeObject* object, const std::string& path) {
    GMimeHeaderList* headers = g_mime_object_get_header_list(object);
    if (headers == nullptr ||
        static_cast<size_t>(g_mime_header_list_get_count(headers)) <= limits_.max_header_fields) {
      return false;
    }
    record_limit(
        view_,
        fmt::format("part {} has more than {} header fields", path, limits_.max_header_fields),
        "it was not inspected");
    return true;
  }

  void walk_part(GMimeObject* object, const std::string& path, size_t depth, size_t msg_depth) {
    if (object == nullptr || !within_limits(depth) || too_many_fields(object, path)) return;
    if (GMIME_IS_MULTIPART(object)) {
      walk_children(GMIME_MULTIPART(object), path, depth, msg_depth);
    } else if (GMIME_IS_MESSAGE_PART(object)) {
      walk_message_part(GMIME_MESSAGE_PART(object), path, depth, msg_depth);
    } else if (GMIME_IS_PART(object)) {
      walk_leaf(GMIME_PART(object), path, msg_depth);
    }
  }

  void walk_message_part(GMimeMessagePart* part, const std::string& path, size_t depth,
                         size_t msg_depth) {
    GMimeObject* object = GMIME_OBJECT(part);
    GMimeMessage* inner = g_mime_message_part_get_message(part);
    if (inner != nullptr && too_many_fields(GMIME_OBJECT(inner), path)) return;
    Attachment attachment = describe(object, path, msg_depth);
    if (inner != nullptr) {
      GString_ text(g_mime_object_to_string(GMIME_OBJECT(inner), nullptr));
      const std::string_view serialised = text.get() != nullptr ? text.get() : "";
      attachment.size = serialised.size();
      attachment.bytes = serialised.substr(0, limits_.max_attachment_bytes);
    }
    view_.attachments.push_back(std::move(attachment));
    if (inner != nullptr)
      walk_body(g_mime_message_get_mime_part(inner), path, depth + 1, msg_depth + 1);
  }

  Attachment describe(GMimeObject* object, const std::string& path, size_t msg_depth) {
    Attachment attachment;
    attachment.path = path;
    attachment.content_type = mime_type_of(object);
    attachment.disposition = lower(safe(g_mime_object_get_disposition(object)));
    attachment.names = part_names(object);
    if (!attachment.names.empty()) attachment.filename = attachment.names.front();
    attachment.message_depth = msg_depth;
    return attachment;
  }

  static bool is_text(const Attachment& part) {
    return part.content_type == "text/plain" || part.content_type == "text/html";
  }

  static bool is_body_text(const Attachment& part) {
    return is_text(part) && part.disposition != "attachment" && part.filename.empty();
  }

  void walk_leaf(GMimePart* part, const std::string& path, size_t msg_depth) {
    Attachment described = describe(GMIME_OBJECT(part), path, msg_depth);
    if (is_text(described)) add_text(part, described, !is_body_text(described));
    if (is_body_text(described)) return;
    described.bytes = decoded_bytes(part, limits_.max_attachment_bytes, described.size);
    if (described.size > described.bytes.size()) {
      record_limit(
          view_, fmt::format("attachment {} is over {} bytes", path, limits_.max_attachment_bytes),
          "only its start was inspected");
    }
    view_.attachments.push_back(std::move(described));
  }

  void add_text(GMimePart* part, const Attachment& described, bool attached) {
    size_t total_size = 0;
    const std::string bytes = decoded_bytes(part, limits_.max_text_bytes, total_size);
    if (total_size > bytes.size()) {
      record_limit(
          view_,
          fmt::format("text part {} is over {} bytes", described.path, limits_.max_text_bytes),
          "only its start was checked");
    }
    const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    std::string text = readable_text(bytes, charset);
    if (described.content_type == "text/html") text = html_to_text(text);
    const bool whole = total_size == bytes.size();
    view_.text_parts.push_back({described.path, described.content_type, std::move(text),
                                described.message_depth, attached, described.filename,
                                bytes.substr(0, kTextHeadBytes), "", whole ? bytes.size() : 0,
                                whole ? content_hash(bytes) : 0});
  }

  const MimeLimits& limits_;
  MimeView& view_;
  size_t parts_seen_ = 0;
  bool parts_exhausted_ = false;
};

// GMime files the top-level Content-* fields under the body part, not the message; rules on
// header:Content-Type must still see them, in the order they were written.
std::vector<GMimeHeader*> top_level_headers(GMimeMessage* message) {
  std::vector<std::pair<gint64, GMimeHeader*>> found;
  GMimeObject* body = g_mime_message_get_mime_part(message);
  for (GMimeObject* object : {GMIME_OBJECT(message), body}) {
    GMimeHeaderList* list = object != nullptr ? g_mime_object_get_header_list(object) : nullptr;
    const int count = list != nullptr ? g_mime_header_list_get_count(list) : 0;
    for (int i = 0; i < count; ++i) {
      GMimeHeader* header = g_mime_header_list_get_header_at(list, i);
      const gint64 offset = g_mime_header_get_offset(header);
      if (object == body && offset < 0) continue;  // made up by GMime, not in the message
      found.emplace_back(offset, header);
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<GMimeHeader*> headers;
  for (const auto& [offset, header] : found)
    headers.push_back(header);
  return headers;
}

std::vector<Mailbox>* address_field(MimeView& view, std::string_view name) {
  const std::pair<std::string_view, std::vector<Mailbox>*> fields[] = {
      {"From", &view.from},
      {"To", &view.to},
      {"Cc", &view.cc},
      {"Bcc", &view.bcc},
      {"Reply-To", &view.reply_to}};
  for (const auto& [field, list] : fields) {
    if (iequals(field, name)) return list;
  }
  return nullptr;
}

// Addresses are parsed from the raw value (normalised like every header) rather than taken from
// GMime's message, whose display names went through its B-word decoder.
void add_addresses(const char* raw, std::vector<Mailbox>& out) {
  GPtr<InternetAddressList> list(
      internet_address_list_parse(nullptr, normalise_encoded_words(raw).c_str()));
  append_mailboxes(list.get(), out);
}

void read_headers(GMimeMessage* message, MimeView& view) {
  for (GMimeHeader* header : top_level_headers(message)) {
    const char* raw = g_mime_header_get_raw_value(header);
    std::string name = safe(g_mime_header_get_name(header));
    if (raw == nullptr) {
      view.headers.push_back({std::move(name), safe(g_mime_header_get_value(header))});
      continue;
    }
    if (std::vector<Mailbox>* list = address_field(view, name)) add_addresses(raw, *list);
    view.headers.push_back({std::move(name), decode_header_text(raw)});
  }
  const auto subjects = view.header_values("Subject");
  if (!subjects.empty()) view.subject = std::string(subjects.back());  // GMime's choice: last
  const auto from = view.header_values("From");
  if (!from.empty()) view.from_header = std::string(from.front());
}

// When GMime cannot make a message of the bytes at all, rules still get to see the text.
void fall_back_to_raw_text(std::string_view raw, const MimeLimits& limits, MimeView& view) {
  view.malformed = true;
  view.problems.push_back("not parsable as a message; raw text inspected");
  view.text_parts.push_back({"1", "text/plain",
                             readable_text(raw.substr(0, limits.max_text_bytes), nullptr), 0, false,
                             "", std::string(raw.substr(0, kTextHeadBytes)), "", 0, 0});
}

void parse_into(std::string_view raw, const MimeLimits& limits, MimeView& view) {
  ensure_gmime_initialised();
  const auto hostile = hostile_fields(raw);
  std::string defused;
  if (!hostile.empty()) {
    defused = defuse_fields(raw, hostile);
    raw = defused;
    view.malformed = true;
    view.problems.push_back("a field with more than " + std::to_string(kMaxWordStarts) +
                            " \"=?\" left undecoded");
  }
  for (std::string& reason : raw_limit_problems(raw, limits))
    record_limit(view, std::move(reason), "the message was not fully inspected");
  const StructureScan structure = scan_structure(raw, limits.max_depth + 1);
  const std::string aligned = align_delimiters(raw, structure);
  if (!aligned.empty()) raw = aligned;  // boundaries matched as written, as clients do
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GMimeParserOptions* options = g_mime_parser_options_new();
  ParseState state{view};
  g_mime_parser_options_set_warning_callback(options, on_parser_warning, &state);
  GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), options));
  g_mime_parser_options_free(options);
  for (std::string& reason : structure_disagreements(structure, message.get(), limits.max_parts))
    record_disagreement(view, std::move(reason));
  if (!message) {
    fall_back_to_raw_text(raw, limits, view);
    return;
  }
  if (state.truncated && truncation_is_malformed(message.get())) {
    view.malformed = true;
    add_problem(view, -1, GMIME_WARN_TRUNCATED_MESSAGE, nullptr);
  }
  read_headers(message.get(), view);
  Walker(limits, view).walk_body(g_mime_message_get_mime_part(message.get()), "", 0, 0);
}

}  // namespace

std::vector<std::string_view> MimeView::header_values(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const HeaderField& field : headers) {
    if (iequals(field.name, name)) values.emplace_back(field.value);
  }
  return values;
}

MimeView parse_message(std::string_view raw, const MimeLimits& limits) noexcept {
  MimeView view;
  try {
    parse_into(raw, limits, view);
  } catch (const std::exception& error) {
    view.malformed = true;
    view.problems.push_back(std::string("parse aborted: ") + error.what());
  } catch (...) {
    view.malformed = true;
    view.problems.push_back("parse aborted");
  }
  return view;
}

}  // namespace aup::mime
