// The parsed, decoded view of one message that every rule looks at: parse once, read many.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace aup::mime {

struct HeaderField {
  std::string name;
  std::string value;  // unfolded, RFC 2047 decoded, UTF-8
};

struct Mailbox {
  std::string display_name;  // decoded, UTF-8
  std::string address;       // addr-spec as written (local@domain)
};

// A text/plain or text/html part: the message text, or a text file attached to it (`attached`,
// also listed among the attachments) whose words reach the reader all the same.
struct TextPart {
  std::string path;          // MIME part number, "1.2"
  std::string content_type;  // lower case "text/html"
  std::string text;          // decoded UTF-8; HTML already turned into text
  size_t message_depth = 0;  // 0 in the message itself, 1 inside a forwarded message/rfc822...
  bool attached = false;     // a named or attachment-disposition part, not the message text
  std::string filename;      // for attached text
  std::string head;          // the first decoded bytes (before charset conversion), for typing
  // Binary formats only (libmagic, from `head`; application/octet-stream for text), filled by
  // attachment inspection.
  std::string true_type;
  // The decoded bytes' size and hash, unless truncated (0, 0): lets the footer reuse `text`
  // for the same content instead of converting HTML again.
  size_t content_size = 0;
  size_t content_hash = 0;
};

struct Attachment {
  std::string path;
  std::string filename;      // decoded (RFC 2231 / RFC 2047), may be empty; see `names`
  std::string content_type;  // declared, lower case
  std::string disposition;   // lower case, may be empty
  size_t size = 0;           // decoded size in bytes (before any truncation)
  std::string bytes;         // decoded content, at most Limits::max_attachment_bytes
  size_t message_depth = 0;
  // Every distinct name the part goes by, `filename` first. Readers disagree on which of the
  // Content-Disposition filename (RFC 2231 filename* preferred) and the Content-Type name they
  // save the file as, so a sender can show a harmless name to one and a dangerous one to another.
  std::vector<std::string> names;
  // Filled by attachment inspection (milter/inspect), not by the parser:
  std::string true_type;     // from the bytes (libmagic)
  std::string container;     // archive members: the archives they are in, "a.zip/b.zip"
  size_t archive_depth = 0;  // 0: a MIME part; 1: in an archive; 2: in an archive in one...
};

// Enough of a text part's bytes for libmagic to tell a program posing as text: executable and
// script signatures sit at the start. More costs time on every message (libmagic's text and
// regex tests read all they are given): 64 KB made typing a seventh of the engine's time.
constexpr size_t kTextHeadBytes = 8 * 1024;

// Past any of these, what lies beyond is not inspected: the view records why in `problems`
// and `uninspectable`, and sets `limit_exceeded` (rules decide the verdict).
struct MimeLimits {
  size_t max_depth = 32;                    // multipart / message nesting
  size_t max_parts = 1000;                  // leaf and container parts walked
  size_t max_text_bytes = 8 * 1024 * 1024;  // decoded text kept per part
  size_t max_attachment_bytes = 32 * 1024 * 1024;
  size_t max_header_fields = 1000;        // in the message's header block, and each part's
  size_t max_header_bytes = 1024 * 1024;  // the message's header block
  size_t max_line_bytes = 1024 * 1024;    // any line of the raw message
};

struct MimeView {
  std::vector<HeaderField> headers;  // top-level header fields, in order
  std::string subject;
  std::string from_header;  // decoded From field value as written
  std::vector<Mailbox> from, to, cc, bcc, reply_to;
  std::vector<TextPart> text_parts;
  std::vector<Attachment> attachments;
  bool malformed = false;
  bool limit_exceeded = false;        // depth or part limit stopped the walk
  std::vector<std::string> problems;  // parser warnings and walk limits, human readable
  // Content that could not be inspected (encrypted or unreadable archives, inspection limits):
  // it cannot be checked for viruses. Filled by attachment inspection.
  std::vector<std::string> uninspectable;

  // All values of header `name` (case-insensitive), in order.
  std::vector<std::string_view> header_values(std::string_view name) const;
};

// Parses raw RFC 5322 bytes (LF or CRLF). Never throws: malformed input gives a view with
// `malformed` set that holds whatever could be read.
MimeView parse_message(std::string_view raw, const MimeLimits& limits = {}) noexcept;

}  // namespace aup::mime
