// Builds a MimeView from raw bytes with GMime, walking the part tree within MimeLimits.
#include "mime/mime_view.hpp"

#include <algorithm>
#include <string>

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

std::string safe(const char* text) { return text != nullptr ? make_valid_utf8(text) : ""; }

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

const char* warning_text(GMimeParserWarning code) {
  switch (code) {
    case GMIME_WARN_DUPLICATED_HEADER: return "duplicated header";
    case GMIME_WARN_DUPLICATED_PARAMETER: return "duplicated parameter";
    case GMIME_WARN_UNENCODED_8BIT_HEADER: return "unencoded 8-bit header";
    case GMIME_WARN_INVALID_CONTENT_TYPE: return "invalid content type";
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE: return "invalid RFC 2047 header value";
    case GMIME_WARN_MALFORMED_MULTIPART: return "malformed multipart";
    case GMIME_WARN_TRUNCATED_MESSAGE: return "truncated message";
    case GMIME_WARN_MALFORMED_MESSAGE: return "malformed message";
    case GMIME_CRIT_INVALID_HEADER_NAME: return "invalid header name";
    case GMIME_CRIT_CONFLICTING_HEADER: return "conflicting header";
    case GMIME_CRIT_CONFLICTING_PARAMETER: return "conflicting parameter";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: return "multipart without boundary";
    case GMIME_WARN_INVALID_PARAMETER: return "invalid parameter";
    case GMIME_WARN_INVALID_ADDRESS_LIST: return "invalid address list";
    case GMIME_CRIT_NESTING_OVERFLOW: return "MIME nesting overflow";
    case GMIME_WARN_PART_WITHOUT_CONTENT: return "part without content";
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT: return "part without headers or content";
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

void on_parser_warning(gint64 offset, GMimeParserWarning code, const gchar* item, gpointer data) {
  auto* view = static_cast<MimeView*>(data);
  if (makes_malformed(code)) view->malformed = true;
  if (view->problems.size() >= 50) return;  // a hostile message can raise thousands
  std::string problem = std::string(warning_text(code)) + " at offset " + std::to_string(offset);
  if (item != nullptr) problem += ": " + make_valid_utf8(std::string_view(item).substr(0, 80));
  view->problems.push_back(std::move(problem));
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
  bool within_limits(size_t depth) {
    if (depth > limits_.max_depth) return stop("MIME nesting deeper than " +
                                               std::to_string(limits_.max_depth));
    if (++parts_seen_ > limits_.max_parts) return stop("more than " +
                                                       std::to_string(limits_.max_parts) +
                                                       " MIME parts");
    return true;
  }

  bool stop(std::string reason) {
    if (!view_.limit_exceeded) view_.problems.push_back(std::move(reason));
    view_.limit_exceeded = true;
    return false;
  }

  void walk_children(GMimeMultipart* multipart, const std::string& prefix, size_t depth,
                     size_t msg_depth) {
    const int count = g_mime_multipart_get_count(multipart);
    for (int i = 0; i < count && !view_.limit_exceeded; ++i) {
      walk_part(g_mime_multipart_get_part(multipart, i), join_path(prefix, i + 1), depth + 1,
                msg_depth);
    }
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
    if (inner != nullptr) walk_body(g_mime_message_get_mime_part(inner), path, depth + 1,
                                    msg_depth + 1);
  }

  Attachment describe(GMimeObject* object, const std::string& path, size_t msg_depth) {
    Attachment attachment;
    attachment.path = path;
    attachment.content_type = mime_type_of(object);
    attachment.disposition = lower(safe(g_mime_object_get_disposition(object)));
    if (GMIME_IS_PART(object)) attachment.filename = safe(g_mime_part_get_filename(GMIME_PART(object)));
    attachment.message_depth = msg_depth;
    return attachment;
  }

  static bool is_body_text(const Attachment& part) {
    return (part.content_type == "text/plain" || part.content_type == "text/html") &&
           part.disposition != "attachment" && part.filename.empty();
  }

  void walk_leaf(GMimePart* part, const std::string& path, size_t msg_depth) {
    Attachment described = describe(GMIME_OBJECT(part), path, msg_depth);
    if (is_body_text(described)) {
      add_text(part, std::move(described));
      return;
    }
    bool truncated = false;
    described.bytes = decoded_bytes(part, limits_.max_attachment_bytes, truncated);
    described.size = described.bytes.size();
    if (truncated) view_.problems.push_back("attachment " + path + " truncated for inspection");
    view_.attachments.push_back(std::move(described));
  }

  void add_text(GMimePart* part, Attachment described) {
    bool truncated = false;
    const std::string bytes = decoded_bytes(part, limits_.max_text_bytes, truncated);
    if (truncated) view_.problems.push_back("text part " + described.path + " truncated");
    const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    std::string text = to_utf8(bytes, charset);
    if (described.content_type == "text/html") text = html_to_text(text);
    view_.text_parts.push_back(
        {described.path, described.content_type, std::move(text), described.message_depth});
  }

  const MimeLimits& limits_;
  MimeView& view_;
  size_t parts_seen_ = 0;
};

void read_headers(GMimeMessage* message, MimeView& view) {
  GMimeHeaderList* list = g_mime_object_get_header_list(GMIME_OBJECT(message));
  const int count = list != nullptr ? g_mime_header_list_get_count(list) : 0;
  for (int i = 0; i < count; ++i) {
    GMimeHeader* header = g_mime_header_list_get_header_at(list, i);
    view.headers.push_back({safe(g_mime_header_get_name(header)),
                            safe(g_mime_header_get_value(header))});
  }
  view.subject = safe(g_mime_message_get_subject(message));
  const auto from = view.header_values("From");
  if (!from.empty()) view.from_header = std::string(from.front());
  append_mailboxes(g_mime_message_get_from(message), view.from);
  append_mailboxes(g_mime_message_get_to(message), view.to);
  append_mailboxes(g_mime_message_get_cc(message), view.cc);
  append_mailboxes(g_mime_message_get_bcc(message), view.bcc);
  append_mailboxes(g_mime_message_get_reply_to(message), view.reply_to);
}

// When GMime cannot make a message of the bytes at all, rules still get to see the text.
void fall_back_to_raw_text(std::string_view raw, const MimeLimits& limits, MimeView& view) {
  view.malformed = true;
  view.problems.push_back("not parsable as a message; raw text inspected");
  view.text_parts.push_back(
      {"1", "text/plain", to_utf8(raw.substr(0, limits.max_text_bytes), nullptr), 0});
}

void parse_into(std::string_view raw, const MimeLimits& limits, MimeView& view) {
  ensure_gmime_initialised();
  GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  GMimeParserOptions* options = g_mime_parser_options_new();
  g_mime_parser_options_set_warning_callback(options, on_parser_warning, &view);
  GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), options));
  g_mime_parser_options_free(options);
  if (!message) {
    fall_back_to_raw_text(raw, limits, view);
    return;
  }
  read_headers(message.get(), view);
  Walker(limits, view).walk_body(g_mime_message_get_mime_part(message.get()), "", 0, 0);
}

}  // namespace

std::vector<std::string_view> MimeView::header_values(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const HeaderField& field : headers) {
    if (field.name.size() == name.size() &&
        g_ascii_strncasecmp(field.name.data(), name.data(), name.size()) == 0) {
      values.emplace_back(field.value);
    }
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
