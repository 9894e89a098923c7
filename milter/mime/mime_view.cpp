// Builds a MimeView from raw bytes with GMime, walking the part tree within MimeLimits.
#include "mime/mime_view.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "mime/gmime_runtime.hpp"
#include "mime/html_text.hpp"
#include "mime/text_decode.hpp"

namespace aup::mime {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(g_ascii_tolower(c)); });
  return text;
}

std::string safe(const char* text) {
  return text != nullptr ? make_valid_utf8(text) : "";
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && g_ascii_strncasecmp(a.data(), b.data(), a.size()) == 0;
}

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

void add_unique(std::vector<std::string>& names, std::string name) {
  if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
    names.push_back(std::move(name));
  }
}

// Values of parameter `name`, RFC 2231 ones (filename*=) first, as RFC 2231-aware readers
// prefer them over a plain value next to them.
void add_parameter_values(GMimeParamList* params, const char* name,
                          std::vector<std::string>& names) {
  const int count = params != nullptr ? g_mime_param_list_length(params) : 0;
  for (const bool want_rfc2231 : {true, false}) {
    for (int i = 0; i < count; ++i) {
      GMimeParam* param = g_mime_param_list_get_parameter_at(params, i);
      const bool rfc2231 =
          g_mime_param_get_encoding_method(param) == GMIME_PARAM_ENCODING_METHOD_RFC2231;
      if (rfc2231 == want_rfc2231 && g_ascii_strcasecmp(g_mime_param_get_name(param), name) == 0) {
        add_unique(names, safe(g_mime_param_get_value(param)));
      }
    }
  }
}

// Parameters are re-read from the raw field with its encoded words normalised, so that GMime's
// shared base64 state (see normalise_encoded_words) cannot cut a file name short.
void add_names_from(const char* raw, bool disposition, std::vector<std::string>& names) {
  GString_ unfolded(g_mime_utils_header_unfold(normalise_encoded_words(raw).c_str()));
  if (unfolded.get() == nullptr) return;
  if (disposition) {
    GPtr<GMimeContentDisposition> parsed(g_mime_content_disposition_parse(nullptr, unfolded.get()));
    if (parsed)
      add_parameter_values(g_mime_content_disposition_get_parameters(parsed.get()), "filename",
                           names);
  } else {
    GPtr<GMimeContentType> parsed(g_mime_content_type_parse(nullptr, unfolded.get()));
    if (parsed)
      add_parameter_values(g_mime_content_type_get_parameters(parsed.get()), "name", names);
  }
}

// Every file name the part goes by, the one most readers use first: Content-Disposition
// filename, then Content-Type name. Readers disagree, so a rule must see them all.
std::vector<std::string> part_names(GMimeObject* object) {
  std::vector<std::string> names;
  GMimeHeaderList* list = g_mime_object_get_header_list(object);
  const int count = list != nullptr ? g_mime_header_list_get_count(list) : 0;
  for (const bool disposition : {true, false}) {
    for (int i = 0; i < count; ++i) {
      GMimeHeader* header = g_mime_header_list_get_header_at(list, i);
      const char* raw = g_mime_header_get_raw_value(header);
      const std::string_view field = disposition ? "Content-Disposition" : "Content-Type";
      if (raw != nullptr && iequals(safe(g_mime_header_get_name(header)), field)) {
        add_names_from(raw, disposition, names);
      }
    }
  }
  return names;
}

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

// Cosmetic problems (duplicated or 8-bit headers) are common in real mail and do not make the
// structure ambiguous; the rest mean another reader might see a different message.
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
    auto& problems = view_.problems;
    if (std::find(problems.begin(), problems.end(), reason) == problems.end()) {
      problems.push_back(std::move(reason));
    }
    view_.limit_exceeded = true;
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
    view_.text_parts.push_back(
        {path, "text/plain", readable_text(raw, nullptr), msg_depth, false, ""});
  }

  void walk_part(GMimeObject* object, const std::string& path, size_t depth, size_t msg_depth) {
    if (object == nullptr || !within_limits(depth)) return;
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
    if (described.size > described.bytes.size())
      view_.problems.push_back("attachment " + path + " truncated for inspection");
    view_.attachments.push_back(std::move(described));
  }

  void add_text(GMimePart* part, const Attachment& described, bool attached) {
    size_t total_size = 0;
    const std::string bytes = decoded_bytes(part, limits_.max_text_bytes, total_size);
    if (total_size > bytes.size())
      view_.problems.push_back("text part " + described.path + " truncated");
    const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    std::string text = readable_text(bytes, charset);
    if (described.content_type == "text/html") text = html_to_text(text);
    view_.text_parts.push_back({described.path, described.content_type, std::move(text),
                                described.message_depth, attached, described.filename});
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
                             ""});
}

// GMime 3.2.13 decodes a field's encoded words (for its warnings, the subject and parameters)
// in time quadratic in the number of "=?" in that field: 100 KB of them cost seconds. No real
// field holds more than kMaxWordStarts, so in a field (or folded body line) that does, each "=?"
// becomes "= " before GMime sees it; its words stay encoded and the message is malformed.
constexpr size_t kMaxWordStarts = 1000;

std::vector<std::pair<size_t, size_t>> hostile_fields(std::string_view raw) {
  std::vector<std::pair<size_t, size_t>> found;  // [begin, end) of each field
  size_t begin = 0;
  size_t count = 0;
  for (size_t i = 0; i <= raw.size(); ++i) {
    const bool field_ends = i == raw.size() || (raw[i] == '\n' && i + 1 < raw.size() &&
                                                raw[i + 1] != ' ' && raw[i + 1] != '\t');
    if (field_ends) {
      if (count > kMaxWordStarts) found.emplace_back(begin, i);
      begin = i + 1;
      count = 0;
    } else if (raw[i] == '=' && i + 1 < raw.size() && raw[i + 1] == '?') {
      ++count;
    }
  }
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
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GMimeParserOptions* options = g_mime_parser_options_new();
  ParseState state{view};
  g_mime_parser_options_set_warning_callback(options, on_parser_warning, &state);
  GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), options));
  g_mime_parser_options_free(options);
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
