// Footer placement: which parts are the message's own text, and the splices that change them.
// GMime parses with a persistent stream, so every part's content is a window on the original
// bytes and its header fields carry their offsets: the edit replaces exactly those windows.
#include "mime/footer.hpp"
#include "mime/mime_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>

#include "mime/footer_targets.hpp"
#include "mime/footer_text.hpp"
#include "mime/gmime_runtime.hpp"
#include "mime/gmime_strings.hpp"
#include "mime/header_block.hpp"
#include "mime/html_text.hpp"
#include "mime/text_decode.hpp"

namespace aup::mime {
namespace {

using Target = FooterTarget;

struct Splice {
  size_t begin;
  size_t end;
  std::string bytes;
};

// DKIM, its predecessor, and ARC: each covers the body with a hash.
bool has_dkim_signature(GMimeMessage* message) {
  GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
  for (const char* name : {"DKIM-Signature", "DomainKey-Signature", "ARC-Message-Signature"}) {
    if (g_mime_header_list_contains(headers, name)) return true;
  }
  return false;
}

// A part whose type or encoding is stated twice is read differently by different readers.
bool ambiguous(GMimeObject* object) {
  GMimeHeaderList* headers = g_mime_object_get_header_list(object);
  int types = 0, encodings = 0;
  for (int i = 0; i < g_mime_header_list_get_count(headers); ++i) {
    const char* name = g_mime_header_get_name(g_mime_header_list_get_header_at(headers, i));
    if (name != nullptr && iequals(name, "Content-Type")) ++types;
    if (name != nullptr && iequals(name, "Content-Transfer-Encoding")) ++encodings;
  }
  return types > 1 || encodings > 1;
}

// Encodings this module writes back: anything else (uuencode, x-token) is left alone.
bool rewritable(GMimeContentEncoding encoding) {
  switch (encoding) {
    case GMIME_CONTENT_ENCODING_DEFAULT:
    case GMIME_CONTENT_ENCODING_7BIT:
    case GMIME_CONTENT_ENCODING_8BIT:
    case GMIME_CONTENT_ENCODING_BINARY:
    case GMIME_CONTENT_ENCODING_BASE64:
    case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE:
      return true;
    default:
      return false;
  }
}

std::string unquoted_line_start(std::string_view text, size_t at) {
  const size_t start = text.rfind('\n', at == 0 ? 0 : at - 1);
  return std::string(text.substr(start == std::string_view::npos ? 0 : start + 1,
                                 at - (start == std::string_view::npos ? 0 : start + 1)));
}

// The text ends with the footer: its marker begins a line that is not quoted ("> ") and is
// followed by no more than the footer's own length. A quoted or mentioned footer earlier in a
// reply does not count.
bool ends_with_footer(std::string_view text, std::string_view marker, size_t footer_size) {
  if (marker.empty()) return false;
  // Only the end can hold it: searching the whole of a long text backwards is slow.
  const size_t window = std::min(text.size(), footer_size + 256);
  const size_t in_window = text.substr(text.size() - window).rfind(marker);
  if (in_window == std::string_view::npos) return false;
  const size_t at = text.size() - window + in_window;
  const std::string before = unquoted_line_start(text, at);
  return before.find_first_not_of(" \t") == std::string::npos;
}

size_t after_blank_line(std::string_view raw, size_t headers_end) {
  if (raw.substr(headers_end, 2) == "\r\n") return headers_end + 2;
  if (raw.substr(headers_end, 1) == "\n") return headers_end + 1;
  return headers_end;
}

class FooterWriter {
 public:
  FooterWriter(std::string_view raw, const FooterText& footer, const MimeView* parsed)
      : raw_(raw), footer_(footer), parsed_(parsed) {}

  FooterEdit run() {
    ensure_gmime_initialised();
    GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw_.data(), raw_.size()));
    GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
    g_mime_parser_set_persist_stream(parser.get(), TRUE);
    GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
    if (!message) return outcome(FooterOutcome::unparsable);
    stream_ = stream.get();
    message_ = message.get();
    const gint64 headers_end = g_mime_parser_get_headers_end(parser.get());
    if (headers_end < 0 || static_cast<size_t>(headers_end) > raw_.size()) {
      return outcome(FooterOutcome::unparsable);
    }
    body_start_ = after_blank_line(raw_, static_cast<size_t>(headers_end));
    if (has_dkim_signature(message.get())) return outcome(FooterOutcome::dkim_signed);
    GMimeObject* top = g_mime_message_get_mime_part(message.get());
    if (top == nullptr) return outcome(FooterOutcome::no_text);
    if (signed_or_encrypted(top)) return outcome(FooterOutcome::signed_or_encrypted);
    const std::vector<Target> targets = footer_targets(top);
    if (targets.empty()) return outcome(FooterOutcome::no_text);
    return edit(targets, top);
  }

 private:
  static FooterEdit outcome(FooterOutcome value) {
    FooterEdit edit;
    edit.outcome = value;
    return edit;
  }

  FooterEdit edit(const std::vector<Target>& targets, GMimeObject* top) {
    std::vector<Splice> splices;
    FooterEdit result;
    for (const Target& target : targets) {
      const std::string decoded = decoded_content(target.part);
      const char* charset =
          g_mime_object_get_content_type_parameter(GMIME_OBJECT(target.part), "charset");
      const std::string text = to_utf8(decoded, charset);
      if (text.find("-----BEGIN PGP") != std::string::npos) {
        return outcome(FooterOutcome::signed_or_encrypted);
      }
      const std::string readable = target.html ? html_as_text(decoded, text) : text;
      if (ends_with_footer(readable, footer_.marker, footer_.plain.size())) {
        return outcome(FooterOutcome::already_present);
      }
      if (ambiguous(GMIME_OBJECT(target.part)) ||
          !rewritable(g_mime_part_get_content_encoding(target.part))) {
        return outcome(FooterOutcome::unparsable);
      }
      auto splice = splice_for(target, decoded, GMIME_OBJECT(target.part) == top, result);
      if (!splice) return outcome(problem_);
      splices.push_back(std::move(*splice));
      result.parts.push_back(target.path);
    }
    return assemble(std::move(splices), std::move(result));
  }

  // The parsed view's text for the same content when it has it (HTML to text is the costly
  // part of looking for the marker), else converted here.
  std::string html_as_text(const std::string& decoded, const std::string& utf8) const {
    if (parsed_ != nullptr) {
      const size_t hash = content_hash(decoded);
      for (const TextPart& part : parsed_->text_parts) {
        if (part.content_type == "text/html" && part.content_size == decoded.size() &&
            part.content_size != 0 && part.content_hash == hash) {
          return part.text;
        }
      }
    }
    return html_to_text(utf8);
  }

  std::string decoded_content(GMimePart* part) const {
    size_t total = 0;
    return decoded_bytes(part, std::numeric_limits<size_t>::max(), total);
  }

  // Where the part's content lies in the raw message; nothing when GMime did not keep it as a
  // window on the original stream.
  std::optional<std::pair<size_t, size_t>> content_range(GMimePart* part) const {
    GMimeDataWrapper* wrapper = g_mime_part_get_content(part);
    GMimeStream* content = wrapper != nullptr ? g_mime_data_wrapper_get_stream(wrapper) : nullptr;
    if (content == nullptr || content->super_stream != stream_ || content->bound_start < 0) {
      return std::nullopt;
    }
    const auto begin = static_cast<size_t>(content->bound_start);
    const size_t end =
        content->bound_end < 0 ? raw_.size() : static_cast<size_t>(content->bound_end);
    if (begin < body_start_ || end < begin || end > raw_.size()) return std::nullopt;
    return std::make_pair(begin, end);
  }

  std::optional<size_t> header_block_start(GMimePart* part) const {
    GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(part));
    if (g_mime_header_list_get_count(headers) == 0) return std::nullopt;
    const gint64 offset = g_mime_header_get_offset(g_mime_header_list_get_header_at(headers, 0));
    if (offset < 0 || static_cast<size_t>(offset) < body_start_) return std::nullopt;
    return static_cast<size_t>(offset);
  }

  std::optional<Splice> splice_for(const Target& target, const std::string& decoded, bool top_level,
                                   FooterEdit& result) {
    problem_ = FooterOutcome::unparsable;
    const auto range = content_range(target.part);
    if (!range) return std::nullopt;
    GMimeObject* object = GMIME_OBJECT(target.part);
    const char* charset = g_mime_object_get_content_type_parameter(object, "charset");
    const std::string& wanted = target.html ? footer_.html : footer_.plain;
    std::vector<FieldChange> changes;
    auto footer = in_charset(wanted, charset);
    if (!footer) {
      problem_ = FooterOutcome::not_representable;
      if (charset != nullptr && !iequals(charset, "us-ascii")) return std::nullopt;
      if (!is_ascii(decoded)) return std::nullopt;  // 8-bit text of unknown charset
      footer = wanted;                              // US-ASCII text is UTF-8 text: relabel the part
      g_mime_object_set_content_type_parameter(object, "charset", "utf-8");
      changes.push_back({"Content-Type", content_type_value(object)});
    }
    GMimeContentEncoding encoding = g_mime_part_get_content_encoding(target.part);
    if (!is_ascii(*footer) &&
        (encoding == GMIME_CONTENT_ENCODING_DEFAULT || encoding == GMIME_CONTENT_ENCODING_7BIT)) {
      encoding = GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
      changes.push_back({"Content-Transfer-Encoding", "quoted-printable"});
    }
    const bool flowed =
        iequals(safe(g_mime_object_get_content_type_parameter(object, "format")), "flowed");
    const std::string_view eol = raw_.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";
    std::string encoded = encode_content(target.html ? insert_html(decoded, *footer, eol)
                                                     : append_plain(decoded, *footer, flowed, eol),
                                         encoding, eol);
    // The line end before a boundary belongs to the boundary: keep the window's own ending.
    if (range->second > range->first && raw_[range->second - 1] != '\n' && encoded.ends_with(eol)) {
      encoded.resize(encoded.size() - eol.size());
    }
    if (changes.empty()) return Splice{range->first, range->second, std::move(encoded)};
    problem_ = FooterOutcome::unparsable;
    if (top_level) {
      for (FieldChange& change : changes) {
        change.present = g_mime_object_get_header(object, change.name.c_str()) != nullptr;
      }
      // Content-Transfer-Encoding means nothing to a reader without it (RFC 2045, 4).
      if (g_mime_object_get_header(GMIME_OBJECT(message_), "MIME-Version") == nullptr) {
        changes.push_back({"MIME-Version", "1.0", false});
      }
      result.header_changes.insert(result.header_changes.end(), changes.begin(), changes.end());
      return Splice{range->first, range->second, std::move(encoded)};
    }
    const auto block = header_block_start(target.part);
    if (!block || *block > range->first) return std::nullopt;
    return Splice{*block, range->second,
                  rewrite_fields(raw_.substr(*block, range->first - *block), changes) + encoded};
  }

  static std::string content_type_value(GMimeObject* object) {
    GString_ value(g_mime_content_type_encode(g_mime_object_get_content_type(object), nullptr));
    std::string text;
    for (const char c : safe(value.get())) {
      if (c == '\r' || c == '\n') continue;  // unfolded: the caller writes its own line ends
      text.push_back(c == '\t' ? ' ' : c);
    }
    const auto first = text.find_first_not_of(" \t\r\n");
    const auto last = text.find_last_not_of(" \t\r\n");
    return first == std::string::npos ? "text/plain; charset=utf-8"
                                      : text.substr(first, last - first + 1);
  }

  FooterEdit assemble(std::vector<Splice> splices, FooterEdit result) const {
    std::sort(splices.begin(), splices.end(),
              [](const Splice& a, const Splice& b) { return a.begin < b.begin; });
    size_t at = body_start_;
    for (const Splice& splice : splices) {
      if (splice.begin < at) return outcome(FooterOutcome::unparsable);  // overlapping windows
      result.body.append(raw_.substr(at, splice.begin - at));
      result.body.append(splice.bytes);
      at = splice.end;
    }
    result.body.append(raw_.substr(at));
    result.outcome = FooterOutcome::added;
    return result;
  }

  std::string_view raw_;
  const FooterText& footer_;
  const MimeView* parsed_;
  GMimeStream* stream_ = nullptr;
  GMimeMessage* message_ = nullptr;
  size_t body_start_ = 0;
  FooterOutcome problem_ = FooterOutcome::unparsable;
};

}  // namespace

std::string_view to_string(FooterOutcome outcome) {
  switch (outcome) {
    case FooterOutcome::added:
      return "added";
    case FooterOutcome::already_present:
      return "already present";
    case FooterOutcome::signed_or_encrypted:
      return "signed or encrypted";
    case FooterOutcome::dkim_signed:
      return "DKIM-signed";
    case FooterOutcome::no_text:
      return "no text part of the message's own";
    case FooterOutcome::not_representable:
      return "not representable in the part's charset";
    case FooterOutcome::unparsable:
      return "structure not reliable enough to edit";
  }
  return "unknown";
}

FooterEdit add_footer(std::string_view raw, const FooterText& footer,
                      const MimeView* parsed) noexcept {
  try {
    return FooterWriter(raw, footer, parsed).run();
  } catch (...) {
    FooterEdit failed;
    failed.outcome = FooterOutcome::unparsable;
    return failed;
  }
}

}  // namespace aup::mime
