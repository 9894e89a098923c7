// The corporate footer (clause 4.2, note): added to the message's own text, in every version of
// it (plain and HTML), and nowhere else. The message is edited by splicing: only the bytes of the
// text parts that get the footer (and, when their encoding must change, their own header
// fields) are replaced, so every other byte - attachments, inline images, forwarded messages,
// boundaries, preamble - stays exactly as it was.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aup::mime {

struct FooterText {
  std::string plain;   // UTF-8 lines
  std::string html;    // an HTML fragment, inserted before </body>
  std::string marker;  // text whose presence means the footer is there already
};

enum class FooterOutcome {
  added,
  already_present,      // a text part carries the marker
  signed_or_encrypted,  // S/MIME, PGP/MIME or inline PGP: any change would break it
  dkim_signed,          // a DKIM-Signature covers the body
  no_text,              // no text of the message's own to add it to
  not_representable,    // the footer cannot be written in the part's charset
  unparsable,           // the structure could not be read reliably
};

std::string_view to_string(FooterOutcome outcome);

// A top-level field to set (replace, or add when absent): the top-level part's header fields
// sit in the message header, which a milter edits field by field.
struct FieldChange {
  std::string name;
  std::string value;
  bool present = false;  // the field is in the header already (replace it; else add it)
};

struct FooterEdit {
  FooterOutcome outcome = FooterOutcome::no_text;
  std::vector<std::string> parts;  // MIME part numbers that got the footer ("1", "1.2")
  std::string body;                // the new body (everything after the header block)
  std::vector<FieldChange> header_changes;
};

struct MimeView;

// Works on the raw message (CRLF or LF). Never throws. `parsed`, the same message's view, lends
// the text of its HTML parts, so that they are not turned into text a second time.
FooterEdit add_footer(std::string_view raw, const FooterText& footer,
                      const MimeView* parsed = nullptr) noexcept;

}  // namespace aup::mime
