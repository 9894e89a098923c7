// Corporate footer (issue 7): added to the message's own text in every version, MIME-correctly;
// attachments, inline images, forwarded messages and boundaries untouched byte for byte; signed,
// encrypted, DKIM-signed and already-footed messages left alone.
#include <glib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "mime/footer.hpp"
#include "mime/mime_view.hpp"

using namespace aup::mime;

namespace {

// The same message with CRLF line ends, as the MTA hands it over.
std::string crlf(std::string_view lf) {
  std::string out;
  for (const char c : lf) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return static_cast<char>(g_ascii_tolower(c)); });
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

size_t count_of(std::string_view haystack, std::string_view needle) {
  size_t count = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

// Base64 in lines of 76 characters, CRLF ends.
std::string base64_lines(std::string_view bytes) {
  gchar* encoded = g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
  const std::string flat(encoded);
  g_free(encoded);
  std::string out;
  for (size_t at = 0; at < flat.size(); at += 76)
    out += flat.substr(at, 76) + "\r\n";
  return out;
}

// Every line of `text` (split at LF, CR dropped).
std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in{std::string(text)};
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

std::string no_cr(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  return text;
}

// A LF not preceded by CR.
bool has_bare_lf(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return true;
  }
  return false;
}

// The header block (up to and including the empty line) and the body.
struct Split {
  std::string header;
  std::string body;
};

Split split_message(std::string_view raw) {
  size_t at = 0;
  while (at < raw.size()) {
    const size_t end = raw.find('\n', at);
    if (end == std::string_view::npos) break;
    const std::string_view line = raw.substr(at, end - at);
    at = end + 1;
    if (line.empty() || line == "\r") {
      return {std::string(raw.substr(0, at)), std::string(raw.substr(at))};
    }
  }
  return {std::string(raw), ""};
}

// The header block with each change made, independently of the library: the first field of
// that name (with its continuation lines) replaced, later copies dropped, or the field added
// before the empty line.
std::string apply_changes(std::string_view header, const std::vector<FieldChange>& changes) {
  const std::string eol = contains(header, "\r\n") ? "\r\n" : "\n";
  std::vector<std::string> lines;
  for (size_t at = 0; at < header.size();) {
    const size_t end = header.find('\n', at);
    const size_t next = end == std::string_view::npos ? header.size() : end + 1;
    lines.emplace_back(header.substr(at, next - at));
    at = next;
  }
  for (const FieldChange& change : changes) {
    std::vector<std::string> out;
    bool replaced = false;
    bool dropping = false;
    for (const std::string& line : lines) {
      const bool blank = line == "\r\n" || line == "\n";
      if (!blank && (line.front() == ' ' || line.front() == '\t')) {
        if (!dropping) out.push_back(line);
        continue;
      }
      dropping = false;
      if (blank) {
        if (!replaced) out.push_back(change.name + ": " + change.value + eol);
        replaced = true;
        out.push_back(line);
        continue;
      }
      const size_t colon = line.find(':');
      if (colon != std::string::npos && lower(line.substr(0, colon)) == lower(change.name)) {
        if (!replaced) out.push_back(change.name + ": " + change.value + eol);
        replaced = true;
        dropping = true;
        continue;
      }
      out.push_back(line);
    }
    lines = std::move(out);
  }
  std::string joined;
  for (const std::string& line : lines)
    joined += line;
  return joined;
}

// The message as the milter leaves it: header changes applied, the body replaced.
std::string rebuild(std::string_view raw, const FooterEdit& edit) {
  return apply_changes(split_message(raw).header, edit.header_changes) + edit.body;
}

const FooterText kFooter{
    "Medway Council, Gun Wharf, Chatham ME4 4TR\n"
    "This e-mail is intended for the named recipient only.",
    "<div class=\"medway-footer\"><p>Medway Council, Gun Wharf, Chatham ME4 4TR</p></div>",
    "Medway Council, Gun Wharf"};

// The footer as it follows the text: a blank line, then its lines.
std::string footer_lf(const FooterText& footer = kFooter) {
  return "\n" + footer.plain + "\n";
}

const TextPart* text_at(const MimeView& view, std::string_view path) {
  for (const auto& part : view.text_parts) {
    if (part.path == path) return &part;
  }
  return nullptr;
}

std::vector<std::string> text_paths(const MimeView& view) {
  std::vector<std::string> paths;
  for (const auto& part : view.text_parts)
    paths.push_back(part.path);
  return paths;
}

const std::string* change_of(const FooterEdit& edit, std::string_view name) {
  for (const auto& change : edit.header_changes) {
    if (lower(change.name) == lower(name)) return &change.value;
  }
  return nullptr;
}

// Attachments (decoded) the same before and after: count, order, names, types, bytes.
void check_same_attachments(const MimeView& before, const MimeView& after) {
  REQUIRE(after.attachments.size() == before.attachments.size());
  for (size_t i = 0; i < before.attachments.size(); ++i) {
    const Attachment& a = before.attachments[i];
    const Attachment& b = after.attachments[i];
    INFO("attachment " << a.path << " " << a.filename);
    CHECK(b.path == a.path);
    CHECK(b.filename == a.filename);
    CHECK(b.content_type == a.content_type);
    CHECK(b.size == a.size);
    CHECK(b.bytes == a.bytes);
  }
}

std::string header_value(const MimeView& view, std::string_view name) {
  const auto values = view.header_values(name);
  return values.empty() ? std::string() : std::string(values.front());
}

const std::string kHead =
    "Return-Path: <alice.smith@medway.gov.uk>\n"
    "From: Alice Smith <alice.smith@medway.gov.uk>\n"
    "To: Bob Jones <bob@example.com>\n"
    "Subject: Planning committee papers\n"
    "Date: Tue, 14 May 2024 10:21:07 +0100\n"
    "Message-ID: <20240514092107.4711@mail.medway.gov.uk>\n"
    "MIME-Version: 1.0\n";

// A single-part message: the common head, the content fields, the body (all LF, made CRLF).
std::string single(const std::string& content_fields, const std::string& body_lf) {
  return crlf(kHead + content_fields + "\n" + body_lf);
}

std::string pdf_bytes() {
  std::string bytes = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
  for (int i = 0; i < 600; ++i)
    bytes.push_back(static_cast<char>((i * 37 + 11) % 256));
  bytes += "\n%%EOF\n";
  return bytes;
}

std::string png_bytes() {
  std::string bytes = "\x89PNG\r\n\x1A\n";
  bytes += std::string("\0\0\0\rIHDR", 8);
  for (int i = 0; i < 300; ++i)
    bytes.push_back(static_cast<char>((i * 91 + 3) % 256));
  return bytes;
}

}  // namespace

TEST_CASE("text/plain 7bit: the footer follows a blank line, the text is kept", "[footer]") {
  const std::string text = "Hello Bob,\n\nThe papers for Thursday are below.\n\nAlice\n";
  const std::string raw =
      single("Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n", text);
  const FooterEdit edit = add_footer(raw, kFooter);
  REQUIRE(edit.outcome == FooterOutcome::added);
  CHECK(edit.parts == std::vector<std::string>{"1"});
  CHECK(edit.header_changes.empty());
  CHECK(edit.body == crlf(text + footer_lf()));
  CHECK(edit.body.starts_with(split_message(raw).body));
  CHECK_FALSE(has_bare_lf(edit.body));

  const MimeView view = parse_message(rebuild(raw, edit));
  CHECK_FALSE(view.malformed);
  REQUIRE(view.text_parts.size() == 1);
  CHECK(view.text_parts[0].text == text + footer_lf());
  CHECK(header_value(view, "Content-Transfer-Encoding") == "7bit");

  SECTION("a text without a final line end gets one before the blank line") {
    const std::string cut = single("Content-Type: text/plain\n", "Hello Bob,\n\nAlice");
    const FooterEdit cut_edit = add_footer(cut, kFooter);
    REQUIRE(cut_edit.outcome == FooterOutcome::added);
    // The original ended without a line end, and so does the result.
    CHECK(cut_edit.body == crlf("Hello Bob,\n\nAlice\n\n" + kFooter.plain));
    CHECK(parse_message(rebuild(cut, cut_edit)).text_parts.at(0).text ==
          "Hello Bob,\n\nAlice\n\n" + kFooter.plain);
  }
  SECTION("a message without any Content-Type field is text/plain") {
    const std::string bare = crlf(kHead + "\nHi,\nsee you.\n");
    const FooterEdit bare_edit = add_footer(bare, kFooter);
    REQUIRE(bare_edit.outcome == FooterOutcome::added);
    CHECK(bare_edit.body == crlf("Hi,\nsee you.\n" + footer_lf()));
    CHECK(bare_edit.header_changes.empty());
  }
}

TEST_CASE("text/plain base64: re-encoded, decoded text is text plus footer", "[footer]") {
  const std::string text =
      "Dear Bob,\r\n\r\nPlease find the agenda below. Item 4 (the Rochester riverside scheme) "
      "has been moved to the end of the meeting so that officers can attend.\r\n\r\nAlice\r\n";
  const std::string raw =
      single("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n", "") +
      base64_lines(text);
  const FooterEdit edit = add_footer(raw, kFooter);
  REQUIRE(edit.outcome == FooterOutcome::added);
  CHECK(edit.parts == std::vector<std::string>{"1"});
  CHECK(edit.header_changes.empty());
  CHECK_FALSE(has_bare_lf(edit.body));
  for (const std::string& line : lines_of(edit.body)) {
    INFO(line);
    CHECK(line.size() <= 76);
    CHECK(line.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
          std::string::npos);
  }
  const MimeView view = parse_message(rebuild(raw, edit));
  REQUIRE(view.text_parts.size() == 1);
  CHECK(header_value(view, "Content-Transfer-Encoding") == "base64");
  // The decoded bytes keep the text's own CRLF ends, the footer follows in the same style.
  CHECK(view.text_parts[0].head == text + crlf(footer_lf()));
  CHECK(view.text_parts[0].text ==
        "Dear Bob,\n\nPlease find the agenda below. Item 4 (the Rochester riverside scheme) has "
        "been moved to the end of the meeting so that officers can attend.\n\nAlice\n" +
            footer_lf());
}

TEST_CASE("text/plain quoted-printable: soft breaks and escapes survive re-encoding", "[footer]") {
  const std::string body =
      "Dear colleague,\n"
      "This is a long line that goes on and on so that it has to be wrapped by the quoted-=\n"
      "printable soft line break rule: caf=C3=A9, na=C3=AFve, 2 + 2 =3D 4.\n"
      "Trailing space kept=20\n"
      "Regards,\n"
      "Alice\n";
  const std::string decoded =
      "Dear colleague,\n"
      "This is a long line that goes on and on so that it has to be wrapped by the quoted-"
      "printable soft line break rule: café, naïve, 2 + 2 = 4.\n"
      "Trailing space kept \n"
      "Regards,\n"
      "Alice\n";
  const std::string raw = single(
      "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n",
      body);
  const MimeView before = parse_message(raw);
  REQUIRE(before.text_parts.size() == 1);
  REQUIRE(before.text_parts[0].text == decoded);

  const FooterEdit edit = add_footer(raw, kFooter);
  REQUIRE(edit.outcome == FooterOutcome::added);
  CHECK(edit.header_changes.empty());
  CHECK_FALSE(has_bare_lf(edit.body));
  for (const std::string& line : lines_of(edit.body)) {
    INFO(line);
    CHECK(line.size() <= 76);
    CHECK((line.empty() || (line.back() != ' ' && line.back() != '\t')));
  }
  const MimeView view = parse_message(rebuild(raw, edit));
  REQUIRE(view.text_parts.size() == 1);
  CHECK(header_value(view, "Content-Transfer-Encoding") == "quoted-printable");
  CHECK(view.text_parts[0].text == decoded + footer_lf());

  SECTION("a non-ASCII footer in a UTF-8 quoted-printable text is escaped") {
    const FooterText copyright{"\xC2\xA9 Medway Council", "<p>\xC2\xA9 Medway Council</p>",
                               "\xC2\xA9 Medway Council"};
    const FooterEdit utf8 = add_footer(raw, copyright);
    REQUIRE(utf8.outcome == FooterOutcome::added);
    CHECK(utf8.header_changes.empty());
    CHECK(contains(utf8.body, "=C2=A9 Medway Council"));
    CHECK(parse_message(rebuild(raw, utf8)).text_parts.at(0).text ==
          decoded + "\n\xC2\xA9 Medway Council\n");
  }
}

TEST_CASE("format=flowed: footer lines are fixed and space-stuffed", "[footer]") {
  const std::string text =
      "Bob, the meeting has moved to the council chamber because the usual room is \n"
      "being repainted this week. Regards from the team \n";
  const std::string raw = single(
      "Content-Type: text/plain; charset=utf-8; format=flowed\nContent-Transfer-Encoding: 7bit\n",
      text);
  const FooterText tricky{
      "From Medway Council, Gun Wharf   \n> not a quotation\n Indented line\n"
      "Chatham ME4 4TR ",
      "<p>Medway Council, Gun Wharf</p>", "Medway Council, Gun Wharf"};
  const FooterEdit edit = add_footer(raw, tricky);
  REQUIRE(edit.outcome == FooterOutcome::added);
  CHECK(edit.header_changes.empty());
  const std::string original_body = split_message(raw).body;
  REQUIRE(edit.body.starts_with(original_body));
  CHECK(original_body.ends_with("team \r\n"));  // the original's soft break is kept as it was
  const std::string added = edit.body.substr(original_body.size());
  CHECK(added ==
        "\r\n From Medway Council, Gun Wharf\r\n > not a quotation\r\n  Indented line\r\n"
        "Chatham ME4 4TR\r\n");
  for (const std::string& line : lines_of(added)) {
    INFO(line);
    CHECK((line.empty() || line.back() != ' '));
    CHECK_FALSE(line.starts_with("From "));
    CHECK_FALSE(line.starts_with(">"));
  }
  const MimeView view = parse_message(rebuild(raw, edit));
  CHECK(contains(lower(header_value(view, "Content-Type")), "format=flowed"));

  SECTION("flowed stays flowed when the charset must change") {
    const std::string ascii = single("Content-Type: text/plain; charset=us-ascii; format=flowed\n",
                                     "Short note \nhere.\n");
    const FooterText copyright{"\xC2\xA9 Medway Council", "", "\xC2\xA9 Medway Council"};
    const FooterEdit relabel = add_footer(ascii, copyright);
    REQUIRE(relabel.outcome == FooterOutcome::added);
    const std::string* type = change_of(relabel, "Content-Type");
    REQUIRE(type != nullptr);
    CHECK(contains(lower(*type), "format=flowed"));
    CHECK(contains(lower(*type), "charset=utf-8"));
  }
}

TEST_CASE("text/html: the footer goes before </body>, or at the end", "[footer]") {
  SECTION("before </BODY>, whatever its case") {
    const std::string html =
        "<html><head><title>Papers</title></head>\n<body>\n<p>Hello Bob,</p>\n"
        "<p>The papers are attached.</p>\n</BODY>\n</html>\n";
    const std::string raw = single("Content-Type: text/html; charset=utf-8\n", html);
    const FooterEdit edit = add_footer(raw, kFooter);
    REQUIRE(edit.outcome == FooterOutcome::added);
    CHECK(edit.parts == std::vector<std::string>{"1"});
    CHECK(edit.header_changes.empty());
    CHECK(edit.body == crlf("<html><head><title>Papers</title></head>\n<body>\n<p>Hello Bob,</p>\n"
                            "<p>The papers are attached.</p>\n\n" +
                            kFooter.html + "\n</BODY>\n</html>\n"));
    const MimeView view = parse_message(rebuild(raw, edit));
    REQUIRE(view.text_parts.size() == 1);
    CHECK(count_of(view.text_parts[0].text, kFooter.marker) == 1);
  }
  SECTION("appended when there is no </body>") {
    const std::string html = "<p>Hello Bob,</p>\n<p>See you on Thursday.</p>\n";
    const std::string raw = single("Content-Type: text/html; charset=utf-8\n", html);
    const FooterEdit edit = add_footer(raw, kFooter);
    REQUIRE(edit.outcome == FooterOutcome::added);
    CHECK(edit.body == crlf(html + kFooter.html + "\n"));
  }
  SECTION("quoted-printable HTML is re-encoded") {
    const std::string body =
        "<html><body><p style=3D\"color:#333\">Caf=C3=A9 opening on Thursday, with a long =\n"
        "line that needs a soft break.</p></body></html>\n";
    const std::string raw = single(
        "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n",
        body);
    const FooterEdit edit = add_footer(raw, kFooter);
    REQUIRE(edit.outcome == FooterOutcome::added);
    const MimeView view = parse_message(rebuild(raw, edit));
    REQUIRE(view.text_parts.size() == 1);
    CHECK(no_cr(view.text_parts[0].head) ==
          "<html><body><p style=\"color:#333\">Caf\xC3\xA9 opening on Thursday, with a long "
          "line that needs a soft break.</p>\n" +
              kFooter.html + "\n</body></html>\n");
  }
}

namespace {

const std::string kAltPlain = "Hello Bob,\n\nThe papers are attached.\n\nAlice\n";
const std::string kAltHtml =
    "<html><body><p>Hello Bob,</p><p>The papers are attached.</p><p>Alice</p></body></html>\n";

std::string alternative_block(const std::string& boundary) {
  return "--" + boundary +
         "\n"
         "Content-Type: text/plain; charset=utf-8\n"
         "Content-Transfer-Encoding: 7bit\n"
         "\n" +
         kAltPlain + "\n--" + boundary +
         "\n"
         "Content-Type: text/html; charset=utf-8\n"
         "Content-Transfer-Encoding: quoted-printable\n"
         "\n" +
         kAltHtml + "\n--" + boundary + "--\n";
}

}  // namespace

TEST_CASE("multipart/alternative: both versions get the footer", "[footer]") {
  const std::string raw = crlf(kHead +
                               "Content-Type: multipart/alternative; boundary=\"alt-1\"\n\n"
                               "This is a multi-part message in MIME format.\n\n" +
                               alternative_block("alt-1") + "\nEpilogue text.\n");
  const FooterEdit edit = add_footer(raw, kFooter);
  REQUIRE(edit.outcome == FooterOutcome::added);
  CHECK(edit.parts == std::vector<std::string>{"1", "2"});
  CHECK(edit.header_changes.empty());
  CHECK_FALSE(has_bare_lf(edit.body));
  CHECK(edit.body.starts_with(crlf("This is a multi-part message in MIME format.\n\n--alt-1\n")));
  CHECK(edit.body.ends_with(crlf("\n--alt-1--\n\nEpilogue text.\n")));
  CHECK(count_of(edit.body, "\r\n--alt-1\r\n") == 2);

  const MimeView view = parse_message(rebuild(raw, edit));
  CHECK_FALSE(view.malformed);
  REQUIRE(text_paths(view) == std::vector<std::string>{"1", "2"});
  CHECK(view.text_parts[0].text == kAltPlain + footer_lf());
  CHECK(count_of(view.text_parts[1].text, kFooter.marker) == 1);
  CHECK(contains(no_cr(view.text_parts[1].head), kFooter.html + "\n</body>"));
  CHECK(view.attachments.empty());
}

namespace {

const std::string kMixedText = "Hello Bob,\n\nThe report and the notes are attached.\n\nAlice\n";
const std::string kNotes = "Notes from the site visit\n- fence repaired\n- lights fixed\n";

// multipart/mixed: the text, a base64 PDF, a text file; `tail` is what follows the text part.
struct Mixed {
  std::string raw;
  std::string tail;  // everything from the line end before the first attachment's boundary
};

Mixed mixed_message(const std::string& text_fields, const std::string& text_body) {
  const std::string tail = crlf(
                               "\n--mix-b1\n"
                               "Content-Type: application/pdf; name=\"report.pdf\"\n"
                               "Content-Disposition: attachment; filename=\"report.pdf\"\n"
                               "Content-Transfer-Encoding: base64\n"
                               "\n") +
                           base64_lines(pdf_bytes()) +
                           crlf(
                               "\n--mix-b1\n"
                               "Content-Type: text/plain; charset=us-ascii; name=\"notes.txt\"\n"
                               "Content-Disposition: attachment; filename=\"notes.txt\"\n"
                               "\n" +
                               kNotes + "\n--mix-b1--\n");
  const std::string raw = crlf(kHead +
                               "Content-Type: multipart/mixed; boundary=\"mix-b1\"\n\n"
                               "--mix-b1\n" +
                               text_fields + "\n" + text_body) +
                          tail;
  return {raw, tail};
}

}  // namespace

TEST_CASE("multipart/mixed: the text gets the footer, attachments are untouched", "[footer]") {
  const Mixed message = mixed_message(
      "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 7bit\n", kMixedText);
  const MimeView before = parse_message(message.raw);
  REQUIRE(before.attachments.size() == 2);
  REQUIRE(before.attachments[0].bytes == pdf_bytes());

  const FooterEdit edit = add_footer(message.raw, kFooter);
  REQUIRE(edit.outcome == FooterOutcome::added);
  CHECK(edit.parts == std::vector<std::string>{"1"});
  CHECK(edit.header_changes.empty());
  CHECK_FALSE(has_bare_lf(edit.body));
  CHECK(edit.body == crlf("--mix-b1\nContent-Type: text/plain; charset=utf-8\n"
                          "Content-Transfer-Encoding: 7bit\n\n" +
                          kMixedText + footer_lf()) +
                         message.tail);

  const MimeView after = parse_message(rebuild(message.raw, edit));
  CHECK_FALSE(after.malformed);
  check_same_attachments(before, after);
  REQUIRE(text_paths(after) == std::vector<std::string>{"1", "3"});
  CHECK(after.text_parts[0].text == kMixedText + footer_lf());
  CHECK(after.text_parts[1].attached);
  CHECK(after.text_parts[1].text == kNotes);
  CHECK_FALSE(contains(after.text_parts[1].text, kFooter.marker));

  SECTION("a base64 text part before the attachments") {
    const Mixed b64 = mixed_message(
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n",
        base64_lines(crlf(kMixedText)));
    const FooterEdit b64_edit = add_footer(b64.raw, kFooter);
    REQUIRE(b64_edit.outcome == FooterOutcome::added);
    CHECK_FALSE(has_bare_lf(b64_edit.body));
    CHECK(b64_edit.body.ends_with(b64.tail));
    const MimeView b64_after = parse_message(rebuild(b64.raw, b64_edit));
    check_same_attachments(parse_message(b64.raw), b64_after);
    CHECK(b64_after.text_parts.at(0).text == kMixedText + footer_lf());
  }
  SECTION("a quoted-printable text part before the attachments") {
    const Mixed qp = mixed_message(
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n",
        "Caf=C3=A9 at ten, then the =\nsite visit.\n");
    const FooterEdit qp_edit = add_footer(qp.raw, kFooter);
    REQUIRE(qp_edit.outcome == FooterOutcome::added);
    CHECK_FALSE(has_bare_lf(qp_edit.body));
    CHECK(qp_edit.body.ends_with(qp.tail));
    const MimeView qp_after = parse_message(rebuild(qp.raw, qp_edit));
    check_same_attachments(parse_message(qp.raw), qp_after);
    CHECK(qp_after.text_parts.at(0).text ==
          "Caf\xC3\xA9 at ten, then the site visit.\n" + footer_lf());
  }
}

namespace {

std::string related_block(const std::string& boundary, bool html_first, const std::string& start) {
  const std::string html_part =
      "--" + boundary +
      "\n"
      "Content-Type: text/html; charset=utf-8\n" +
      (start.empty() ? "" : "Content-ID: " + start + "\n") +
      "\n"
      "<html><body><p>Site plan:</p><img src=\"cid:plan@medway.gov.uk\"></body></html>\n";
  const std::string image_part = "--" + boundary +
                                 "\n"
                                 "Content-Type: image/png; name=\"plan.png\"\n"
                                 "Content-ID: <plan@medway.gov.uk>\n"
                                 "Content-Disposition: inline; filename=\"plan.png\"\n"
                                 "Content-Transfer-Encoding: base64\n"
                                 "\n";
  // base64_lines gives CRLF: keep the block LF until the caller converts it.
  std::string image_b64;
  for (const char c : base64_lines(png_bytes())) {
    if (c != '\r') image_b64.push_back(c);
  }
  const std::string image = image_part + image_b64;
  return (html_first ? html_part + "\n" + image : image + "\n" + html_part) + "\n--" + boundary +
         "--\n";
}

}  // namespace

TEST_CASE("multipart/related: the root gets the footer, the inline image is untouched",
          "[footer]") {
  SECTION("the root is the first part") {
    const std::string block = related_block("rel-1", true, "");
    const std::string raw =
        crlf(kHead + "Content-Type: multipart/related; type=\"text/html\"; boundary=\"rel-1\"\n\n" +
             block);
    const MimeView before = parse_message(raw);
    const FooterEdit edit = add_footer(raw, kFooter);
    REQUIRE(edit.outcome == FooterOutcome::added);
    CHECK(edit.parts == std::vector<std::string>{"1"});
    CHECK_FALSE(has_bare_lf(edit.body));
    const std::string image_on = crlf(block.substr(block.find("\n--rel-1\nContent-Type: image")));
    CHECK(edit.body.ends_with(image_on));
    const MimeView after = parse_message(rebuild(raw, edit));
    check_same_attachments(before, after);
    REQUIRE(after.text_parts.size() == 1);
    CHECK(count_of(after.text_parts[0].text, kFooter.marker) == 1);
  }
  SECTION("a start parameter names a root that is not the first part") {
    const std::string block = related_block("rel-2", false, "<root@medway.gov.uk>");
    const std::string raw = crlf(kHead +
                                 "Content-Type: multipart/related; type=\"text/html\";\n"
                                 " start=\"<root@medway.gov.uk>\"; boundary=\"rel-2\"\n\n" +
                                 block);
    const MimeView before = parse_message(raw);
    REQUIRE(before.attachments.size() == 1);
    const FooterEdit edit = add_footer(raw, kFooter);
    REQUIRE(edit.outcome == FooterOutcome::added);
    CHECK(edit.parts == std::vector<std::string>{"2"});
    const std::string image_part =
        crlf(block.substr(0, block.find("\n--rel-2\nContent-Type: text")));
    CHECK(edit.body.starts_with(image_part));
    const MimeView after = parse_message(rebuild(raw, edit));
    check_same_attachments(before, after);
    REQUIRE(text_paths(after) == std::vector<std::string>{"2"});
    CHECK(count_of(after.text_parts[0].text, kFooter.marker) == 1);
    CHECK(contains(no_cr(after.text_parts[0].head), kFooter.html + "\n</body>"));
  }
}

TEST_CASE("mixed > alternative > (plain, related > (html, image)): every version once",
          "[footer]") {
  const std::string related = related_block("rel-3", true, "");
  const std::string raw = crlf(kHead +
                               "Content-Type: multipart/mixed; boundary=\"outer\"\n\n"
                               "--outer\n"
                               "Content-Type: multipart/alternative; boundary=\"alt\"\n\n"
                               "--alt\n"
                               "Content-Type: text/plain; charset=utf-8\n"
                               "Content-Transfer-Encoding: quoted-printable\n\n"
                               "Site plan attached. Caf=C3=A9 at ten.\n"
                               "\n--alt\n"
                               "Content-Type: multipart/related; boundary=\"rel-3\"\n\n" +
                               related + "\n--alt--\n" +
                               "\n--outer\n"
                               "Content-Type: application/pdf; name=\"report.pdf\"\n"
                               "Content-Disposition: attachment; filename=\"report.pdf\"\n"
                               "Content-Transfer-Encoding: base64\n\n") +
                          base64_lines(pdf_bytes()) + crlf("\n--outer--\n");
  const MimeView before = parse_message(raw);
  REQUIRE(before.attachments.size() == 2);
  const FooterEdit edit = add_footer(raw, kFooter);
  REQUIRE(edit.outcome == FooterOutcome::added);
  CHECK(edit.parts == std::vector<std::string>{"1.1", "1.2.1"});
  CHECK(edit.header_changes.empty());
  CHECK_FALSE(has_bare_lf(edit.body));
  const std::string from_image = raw.substr(raw.find("\r\n--rel-3\r\nContent-Type: image"));
  CHECK(edit.body.ends_with(from_image));

  const MimeView after = parse_message(rebuild(raw, edit));
  CHECK_FALSE(after.malformed);
  check_same_attachments(before, after);
  REQUIRE(text_paths(after) == std::vector<std::string>{"1.1", "1.2.1"});
  CHECK(after.text_parts[0].text == "Site plan attached. Caf\xC3\xA9 at ten.\n" + footer_lf());
  for (const TextPart& part : after.text_parts) {
    INFO(part.path);
    CHECK(count_of(part.text, kFooter.marker) == 1);
  }
}

TEST_CASE("a forwarded message is not modified, the outer text is", "[footer]") {
  const std::string inner = crlf(
      "From: Carol <carol@example.org>\n"
      "To: Alice Smith <alice.smith@medway.gov.uk>\n"
      "Subject: Fence\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/mixed; boundary=\"inner-b\"\n"
      "\n"
      "--inner-b\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "\n"
      "The fence on Pier Road is down again.\n"
      "\n--inner-b\n"
      "Content-Type: text/plain; name=\"log.txt\"\n"
      "Content-Disposition: attachment; filename=\"log.txt\"\n"
      "\n"
      "12:00 reported\n"
      "\n--inner-b--\n");
  const std::string tail = crlf(
                               "\n--fwd\n"
                               "Content-Type: message/rfc822\n"
                               "Content-Disposition: inline\n"
                               "\n") +
                           inner + crlf("\n--fwd--\n");
  const std::string raw = crlf(kHead +
                               "Content-Type: multipart/mixed; boundary=\"fwd\"\n\n"
                               "--fwd\n"
                               "Content-Type: text/plain; charset=utf-8\n\n"
                               "Bob, see Carol's message below.\n") +
                          tail;
  const MimeView before = parse_message(raw);
  const FooterEdit edit = add_footer(raw, kFooter);
  REQUIRE(edit.outcome == FooterOutcome::added);
  CHECK(edit.parts == std::vector<std::string>{"1"});
  CHECK(edit.body.ends_with(tail));
  CHECK(count_of(edit.body, kFooter.marker) == 1);

  const MimeView after = parse_message(rebuild(raw, edit));
  check_same_attachments(before, after);
  REQUIRE(after.text_parts.size() == before.text_parts.size());
  for (size_t i = 0; i < after.text_parts.size(); ++i) {
    const TextPart& part = after.text_parts[i];
    INFO(part.path);
    if (part.path == "1") {
      CHECK(part.text == "Bob, see Carol's message below.\n" + footer_lf());
    } else {
      CHECK(part.message_depth >= (part.attached ? 0U : 1U));
      CHECK(part.text == before.text_parts[i].text);
    }
  }

  SECTION("a forwarded message as the first part is not the message's own text") {
    const std::string only =
        crlf(kHead + "Content-Type: multipart/mixed; boundary=\"fwd\"\n\n") + tail.substr(2);
    CHECK(add_footer(only, kFooter).outcome == FooterOutcome::no_text);
  }
  SECTION("a forwarded signed message does not stop the footer, and stays intact") {
    const std::string signed_inner = crlf(
        "From: Carol <carol@example.org>\n"
        "Subject: Signed\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";"
        " micalg=sha-256; boundary=\"sig\"\n"
        "\n"
        "--sig\n"
        "Content-Type: text/plain\n\nSigned words.\n"
        "\n--sig\n"
        "Content-Type: application/pkcs7-signature; name=smime.p7s\n"
        "Content-Transfer-Encoding: "
        "base64\n\nMIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG\n"
        "\n--sig--\n");
    const std::string signed_tail =
        crlf("\n--fwd\nContent-Type: message/rfc822\n\n") + signed_inner + crlf("\n--fwd--\n");
    const std::string fwd = crlf(kHead +
                                 "Content-Type: multipart/mixed; boundary=\"fwd\"\n\n"
                                 "--fwd\nContent-Type: text/plain\n\nForwarding.\n") +
                            signed_tail;
    const FooterEdit fwd_edit = add_footer(fwd, kFooter);
    REQUIRE(fwd_edit.outcome == FooterOutcome::added);
    CHECK(fwd_edit.body.ends_with(signed_tail));
  }
}

TEST_CASE("signed and encrypted messages are left alone", "[footer]") {
  const std::string signed_mime =
      crlf(kHead +
           "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\n"
           " micalg=sha-256; boundary=\"sig-b\"\n\n"
           "--sig-b\nContent-Type: text/plain; charset=utf-8\n\nSigned text.\n"
           "\n--sig-b\n"
           "Content-Type: application/pkcs7-signature; name=\"smime.p7s\"\n"
           "Content-Transfer-Encoding: base64\n"
           "Content-Disposition: attachment; filename=\"smime.p7s\"\n\n"
           "MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAKCAMIIDZTCC\n"
           "\n--sig-b--\n");
  const std::string pkcs7 =
      crlf(kHead +
           "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"\n"
           "Content-Transfer-Encoding: base64\n"
           "Content-Disposition: attachment; filename=\"smime.p7m\"\n\n"
           "MIAGCSqGSIb3DQEHA6CAMIACAQAxggFKMIIBRgIBADCBrjCBqDELMAkGA1UEBhMC\n");
  const std::string pgp_mime = crlf(kHead +
                                    "Content-Type: multipart/encrypted;"
                                    " protocol=\"application/pgp-encrypted\"; boundary=\"enc\"\n\n"
                                    "--enc\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
                                    "\n--enc\nContent-Type: application/octet-stream\n\n"
                                    "-----BEGIN PGP MESSAGE-----\n\nhQEMA5n3\n"
                                    "-----END PGP MESSAGE-----\n"
                                    "\n--enc--\n");
  const std::string inline_pgp =
      single("Content-Type: text/plain; charset=us-ascii\n",
             "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nThe vote is on Thursday.\n"
             "-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE\n-----END PGP SIGNATURE-----\n");
  const std::string signed_in_mixed = crlf(kHead +
                                           "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                                           "--m\n"
                                           "Content-Type: multipart/signed;"
                                           " protocol=\"application/pgp-signature\";"
                                           " micalg=pgp-sha256; boundary=\"s\"\n\n"
                                           "--s\nContent-Type: text/plain\n\nHi\n"
                                           "\n--s\nContent-Type: application/pgp-signature\n\n"
                                           "-----BEGIN PGP SIGNATURE-----\nabc\n"
                                           "-----END PGP SIGNATURE-----\n"
                                           "\n--s--\n"
                                           "\n--m--\n");
  for (const std::string* raw : {&signed_mime, &pkcs7, &pgp_mime, &inline_pgp, &signed_in_mixed}) {
    INFO(*raw);
    const FooterEdit edit = add_footer(*raw, kFooter);
    CHECK(edit.outcome == FooterOutcome::signed_or_encrypted);
    CHECK(edit.body.empty());
    CHECK(edit.parts.empty());
    CHECK(edit.header_changes.empty());
  }

  SECTION("a DKIM-Signature covers the body") {
    const std::string dkim =
        crlf(
            "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=medway.gov.uk;\n"
            " s=sel1; h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\n"
            " b=dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZVoG4ZHRNiYzR\n") +
        single("Content-Type: text/plain\n", "Hello.\n");
    const FooterEdit edit = add_footer(dkim, kFooter);
    CHECK(edit.outcome == FooterOutcome::dkim_signed);
    CHECK(edit.body.empty());
    CHECK(edit.header_changes.empty());
  }
}

TEST_CASE("a message that carries the footer already is left alone", "[footer]") {
  const std::string plain =
      single("Content-Type: text/plain\n", "Hi Bob,\n\n" + footer_lf().substr(1));
  const FooterEdit edit = add_footer(plain, kFooter);
  CHECK(edit.outcome == FooterOutcome::already_present);
  CHECK(edit.body.empty());

  SECTION("the marker in the HTML version only") {
    const std::string raw = crlf(kHead +
                                 "Content-Type: multipart/alternative; boundary=\"a\"\n\n"
                                 "--a\nContent-Type: text/plain\n\nHi Bob\n"
                                 "\n--a\nContent-Type: text/html\n\n<html><body><p>Hi Bob</p>" +
                                 kFooter.html + "</body></html>\n\n--a--\n");
    CHECK(add_footer(raw, kFooter).outcome == FooterOutcome::already_present);
  }
  SECTION("a footed message footed again: already present") {
    const std::string fresh = single("Content-Type: text/plain\n", "Hi Bob\n");
    const FooterEdit once = add_footer(fresh, kFooter);
    REQUIRE(once.outcome == FooterOutcome::added);
    CHECK(add_footer(rebuild(fresh, once), kFooter).outcome == FooterOutcome::already_present);
  }
}

TEST_CASE("charsets: relabelled, converted, or refused", "[footer]") {
  const FooterText copyright{"\xC2\xA9 Medway Council, Gun Wharf",
                             "<p>\xC2\xA9 Medway Council, Gun Wharf</p>",
                             "Medway Council, Gun Wharf"};
  const std::string text = "Hello Bob,\n\nPlain ASCII words.\n";

  SECTION("us-ascii 7bit at the top level: utf-8 and quoted-printable in the header") {
    for (const std::string& fields : {std::string("Content-Type: text/plain; charset=us-ascii\n"
                                                  "Content-Transfer-Encoding: 7bit\n"),
                                      std::string("Content-Type: text/plain\n")}) {
      INFO(fields);
      const std::string raw = single(fields, text);
      const FooterEdit edit = add_footer(raw, copyright);
      REQUIRE(edit.outcome == FooterOutcome::added);
      const std::string* type = change_of(edit, "Content-Type");
      const std::string* cte = change_of(edit, "Content-Transfer-Encoding");
      REQUIRE(type != nullptr);
      REQUIRE(cte != nullptr);
      CHECK(contains(lower(*type), "text/plain"));
      CHECK(contains(lower(*type), "charset=utf-8"));
      CHECK_FALSE(contains(*type, "\n"));
      CHECK(lower(*cte) == "quoted-printable");
      CHECK(contains(edit.body, "=C2=A9 Medway"));
      CHECK(std::all_of(edit.body.begin(), edit.body.end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
      const std::string rebuilt = rebuild(raw, edit);
      CHECK(count_of(lower(rebuilt), "\ncontent-type:") == 1);
      CHECK(count_of(lower(rebuilt), "\ncontent-transfer-encoding:") == 1);
      const MimeView view = parse_message(rebuilt);
      REQUIRE(view.text_parts.size() == 1);
      CHECK(view.text_parts[0].text == text + "\n" + copyright.plain + "\n");
    }
  }
  SECTION("the same shape nested in multipart/mixed: the part's own fields are rewritten") {
    const Mixed message = mixed_message(
        "Content-Type: text/plain; charset=us-ascii\n"
        "Content-Transfer-Encoding: 7bit\n"
        "Content-Language: en-GB\n",
        text);
    const MimeView before = parse_message(message.raw);
    const FooterEdit edit = add_footer(message.raw, copyright);
    REQUIRE(edit.outcome == FooterOutcome::added);
    CHECK(edit.parts == std::vector<std::string>{"1"});
    CHECK(edit.header_changes.empty());
    CHECK_FALSE(has_bare_lf(edit.body));
    CHECK(edit.body.ends_with(message.tail));
    const std::string part_head = edit.body.substr(0, edit.body.find("\r\n\r\n") + 4);
    INFO(part_head);
    CHECK(part_head.starts_with("--mix-b1\r\n"));
    CHECK(contains(lower(part_head), "content-type: text/plain; charset=utf-8\r\n"));
    CHECK(contains(lower(part_head), "content-transfer-encoding: quoted-printable\r\n"));
    CHECK(count_of(lower(part_head), "content-transfer-encoding:") == 1);
    CHECK(count_of(lower(part_head), "content-type:") == 1);
    CHECK(contains(part_head, "Content-Language: en-GB\r\n"));
    // The top-level header is not touched: its Content-Type is still the multipart one.
    const MimeView after = parse_message(rebuild(message.raw, edit));
    CHECK(contains(lower(header_value(after, "Content-Type")), "multipart/mixed"));
    check_same_attachments(before, after);
    REQUIRE(after.text_parts.size() == 2);
    CHECK(after.text_parts[0].text == text + "\n" + copyright.plain + "\n");
    CHECK(after.text_parts[1].text == kNotes);
  }
  SECTION("a nested part without a transfer encoding field gets one") {
    const Mixed message = mixed_message("Content-Type: text/plain\n", text);
    const FooterEdit edit = add_footer(message.raw, copyright);
    REQUIRE(edit.outcome == FooterOutcome::added);
    CHECK(edit.header_changes.empty());
    CHECK(edit.body.ends_with(message.tail));
    const MimeView after = parse_message(rebuild(message.raw, edit));
    check_same_attachments(parse_message(message.raw), after);
    CHECK(after.text_parts.at(0).text == text + "\n" + copyright.plain + "\n");
  }
  SECTION("iso-8859-1: the footer is converted, the charset kept") {
    const FooterText pounds{
        "Parking: \xC2\xA3"
        "5 a day\nMedway Council, Gun Wharf",
        "", "Medway Council, Gun Wharf"};
    const std::string raw = single(
        "Content-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: quoted-printable\n",
        "Caf=E9 at ten.\n");
    const FooterEdit edit = add_footer(raw, pounds);
    REQUIRE(edit.outcome == FooterOutcome::added);
    CHECK(edit.header_changes.empty());
    CHECK(contains(edit.body, "=A35"));
    const MimeView view = parse_message(rebuild(raw, edit));
    REQUIRE(view.text_parts.size() == 1);
    CHECK(no_cr(view.text_parts[0].head) ==
          "Caf\xE9 at ten.\n\nParking: \xA3"
          "5 a day\nMedway Council, Gun Wharf\n");
    CHECK(view.text_parts[0].text == "Caf\xC3\xA9 at ten.\n\n" + pounds.plain + "\n");

    SECTION("8bit iso-8859-1: raw bytes, no header change") {
      const std::string eight =
          single("Content-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: 8bit\n",
                 "Caf\xE9 at ten.\n");
      const FooterEdit eight_edit = add_footer(eight, pounds);
      REQUIRE(eight_edit.outcome == FooterOutcome::added);
      CHECK(eight_edit.header_changes.empty());
      CHECK(eight_edit.body == crlf("Caf\xE9 at ten.\n\nParking: \xA3"
                                    "5 a day\nMedway Council, Gun Wharf\n"));
    }
    SECTION("7bit iso-8859-1: quoted-printable, charset kept") {
      const std::string seven =
          single("Content-Type: text/plain; charset=iso-8859-1\n", "Plain words.\n");
      const FooterEdit seven_edit = add_footer(seven, pounds);
      REQUIRE(seven_edit.outcome == FooterOutcome::added);
      CHECK(change_of(seven_edit, "Content-Type") == nullptr);
      const std::string* cte = change_of(seven_edit, "Content-Transfer-Encoding");
      REQUIRE(cte != nullptr);
      CHECK(lower(*cte) == "quoted-printable");
      const MimeView seven_view = parse_message(rebuild(seven, seven_edit));
      CHECK(no_cr(seven_view.text_parts.at(0).head) ==
            "Plain words.\n\nParking: \xA3"
            "5 a day\nMedway Council, Gun Wharf\n");
    }
  }
  SECTION("a footer the charset cannot hold: not representable") {
    const FooterText japanese{"\xE6\x97\xA5\xE6\x9C\xAC Medway", "<p>\xE6\x97\xA5\xE6\x9C\xAC</p>",
                              "Medway"};
    const std::string raw =
        single("Content-Type: text/plain; charset=iso-8859-1\n", "Caf\xE9 at ten.\n");
    const FooterEdit edit = add_footer(raw, japanese);
    CHECK(edit.outcome == FooterOutcome::not_representable);
    CHECK(edit.body.empty());
    CHECK(edit.header_changes.empty());
    CHECK(edit.parts.empty());
  }
  SECTION("base64 us-ascii: relabelled, still base64") {
    const std::string raw = single(
        "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: base64\n", "");
    const std::string full = raw + base64_lines(crlf(text));
    const FooterEdit edit = add_footer(full, copyright);
    REQUIRE(edit.outcome == FooterOutcome::added);
    CHECK(change_of(edit, "Content-Transfer-Encoding") == nullptr);
    const std::string* type = change_of(edit, "Content-Type");
    REQUIRE(type != nullptr);
    CHECK(contains(lower(*type), "charset=utf-8"));
    const MimeView view = parse_message(rebuild(full, edit));
    CHECK(view.text_parts.at(0).text == text + "\n" + copyright.plain + "\n");
  }
}

TEST_CASE("no text of the message's own: no footer", "[footer]") {
  const std::string only_attachment =
      crlf(kHead +
           "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
           "--b\n"
           "Content-Type: application/pdf; name=\"report.pdf\"\n"
           "Content-Disposition: attachment; filename=\"report.pdf\"\n"
           "Content-Transfer-Encoding: base64\n\n") +
      base64_lines(pdf_bytes()) + crlf("\n--b--\n");
  const std::string report = crlf(
      "From: MAILER-DAEMON@mail.medway.gov.uk\n"
      "To: alice.smith@medway.gov.uk\n"
      "Subject: Undelivered Mail Returned to Sender\n"
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\n\n"
      "--r\nContent-Type: text/plain\n\nThe mail could not be delivered.\n"
      "\n--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.medway.gov.uk\n\n"
      "Final-Recipient: rfc822; nobody@example.com\nAction: failed\nStatus: 5.1.1\n"
      "\n--r--\n");
  const std::string octets =
      single("Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n", "") +
      base64_lines(pdf_bytes());
  const std::string attached_text = single(
      "Content-Type: text/plain; name=\"notes.txt\"\n"
      "Content-Disposition: attachment; filename=\"notes.txt\"\n",
      kNotes);
  for (const std::string* raw : {&only_attachment, &report, &octets, &attached_text}) {
    INFO(*raw);
    const FooterEdit edit = add_footer(*raw, kFooter);
    CHECK(edit.outcome == FooterOutcome::no_text);
    CHECK(edit.body.empty());
    CHECK(edit.header_changes.empty());
  }
}

TEST_CASE("LF-only messages work too", "[footer]") {
  SECTION("text/plain") {
    const std::string raw = kHead + "Content-Type: text/plain\n\nHello Bob,\nAlice\n";
    const FooterEdit edit = add_footer(raw, kFooter);
    REQUIRE(edit.outcome == FooterOutcome::added);
    const MimeView view = parse_message(rebuild(raw, edit));
    CHECK_FALSE(view.malformed);
    REQUIRE(view.text_parts.size() == 1);
    CHECK(view.text_parts[0].text == "Hello Bob,\nAlice\n" + footer_lf());
  }
  SECTION("multipart/mixed with attachments, non-ASCII footer in a nested part") {
    const Mixed crlf_message = mixed_message("Content-Type: text/plain\n", kMixedText);
    std::string raw = crlf_message.raw;
    raw.erase(std::remove(raw.begin(), raw.end(), '\r'), raw.end());
    const FooterText copyright{"\xC2\xA9 Medway Council, Gun Wharf", "",
                               "Medway Council, Gun Wharf"};
    const MimeView before = parse_message(raw);
    const FooterEdit edit = add_footer(raw, copyright);
    REQUIRE(edit.outcome == FooterOutcome::added);
    CHECK(edit.header_changes.empty());
    std::string tail = crlf_message.tail;
    tail.erase(std::remove(tail.begin(), tail.end(), '\r'), tail.end());
    CHECK(edit.body.ends_with(tail));
    const MimeView after = parse_message(rebuild(raw, edit));
    CHECK_FALSE(after.malformed);
    check_same_attachments(before, after);
    REQUIRE(after.text_parts.size() == 2);
    CHECK(after.text_parts[0].text == kMixedText + "\n" + copyright.plain + "\n");
  }
  SECTION("multipart/alternative") {
    const std::string raw = kHead + "Content-Type: multipart/alternative; boundary=\"alt-1\"\n\n" +
                            alternative_block("alt-1");
    const FooterEdit edit = add_footer(raw, kFooter);
    REQUIRE(edit.outcome == FooterOutcome::added);
    const MimeView view = parse_message(rebuild(raw, edit));
    REQUIRE(view.text_parts.size() == 2);
    CHECK(view.text_parts[0].text == kAltPlain + footer_lf());
    CHECK(count_of(view.text_parts[1].text, kFooter.marker) == 1);
  }
}

namespace {

std::vector<std::filesystem::path> corpus_files() {
  namespace fs = std::filesystem;
  const fs::path source(AUP_SOURCE_DIR);
  std::vector<fs::path> dirs = {
      "/work/shared/corpora/messages", source / ".." / "shared" / "corpora" / "messages",
      source / "tests" / "corpus" / "third-party", source / "tests" / "corpus" / "third_party"};
  std::vector<fs::path> files;
  std::vector<fs::path> seen;
  for (const fs::path& dir : dirs) {
    std::error_code error;
    if (!fs::is_directory(dir, error)) continue;
    const fs::path canonical = fs::canonical(dir, error);
    if (error || std::find(seen.begin(), seen.end(), canonical) != seen.end()) continue;
    seen.push_back(canonical);
    for (const auto& entry : fs::directory_iterator(canonical)) {
      if (entry.is_regular_file() && entry.path().extension() != ".json" &&
          entry.path().extension() != ".md") {
        files.push_back(entry.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("corpus: never a crash, and an added footer loses nothing", "[footer][corpus]") {
  const auto files = corpus_files();
  if (files.empty()) {
    WARN("no corpus directory found: skipped");
    return;
  }
  const FooterText copyright{"\xC2\xA9 Medway Council, Gun Wharf, Chatham ME4 4TR",
                             "<p>\xC2\xA9 Medway Council, Gun Wharf, Chatham ME4 4TR</p>",
                             "Medway Council, Gun Wharf"};
  for (const FooterText* footer : {&kFooter, &copyright}) {
    std::map<std::string, int> outcomes;
    for (const auto& file : files) {
      const std::string raw = read_file(file);
      const FooterEdit edit = add_footer(raw, *footer);
      ++outcomes[std::string(to_string(edit.outcome))];
      INFO(file.string());
      const MimeView before = parse_message(raw);
      // Lending the parsed view's HTML text changes nothing but the time.
      const FooterEdit with_view = add_footer(raw, *footer, &before);
      CHECK(with_view.outcome == edit.outcome);
      CHECK(with_view.parts == edit.parts);
      CHECK(with_view.body == edit.body);
      if (edit.outcome != FooterOutcome::added) {
        CHECK(edit.body.empty());
        continue;
      }
      const std::string footered = rebuild(raw, edit);
      const MimeView after = parse_message(footered);
      if (footer == &kFooter) {  // its marker begins a line (the other's follows a "(c) ")
        CHECK(add_footer(footered, *footer).outcome == FooterOutcome::already_present);
        CHECK(add_footer(footered, *footer, &after).outcome == FooterOutcome::already_present);
      }
      CHECK(after.text_parts.size() == before.text_parts.size());
      check_same_attachments(before, after);
      for (const std::string& path : edit.parts) {
        INFO("part " << path);
        const TextPart* part = text_at(after, path);
        REQUIRE(part != nullptr);
        CHECK(count_of(part->text, footer->marker) == 1);
      }
    }
    std::string summary = "corpus of " + std::to_string(files.size()) + " messages, footer " +
                          (footer == &kFooter ? "ASCII" : "non-ASCII") + ":";
    for (const auto& [name, count] : outcomes) {
      summary += " " + name + "=" + std::to_string(count) + ";";
    }
    WARN(summary);
  }
}

TEST_CASE("related > (alternative > (plain, html), image): both versions", "[footer]") {
  const std::string raw = crlf(kHead +
                               "Content-Type: multipart/related; boundary=\"rel\"\n\n"
                               "--rel\n"
                               "Content-Type: multipart/alternative; boundary=\"alt\"\n\n" +
                               alternative_block("alt") +
                               "\n--rel\n"
                               "Content-Type: image/png\n"
                               "Content-ID: <plan@medway.gov.uk>\n"
                               "Content-Transfer-Encoding: base64\n\n") +
                          base64_lines(png_bytes()) + crlf("\n--rel--\n");
  const MimeView before = parse_message(raw);
  const FooterEdit edit = add_footer(raw, kFooter);
  REQUIRE(edit.outcome == FooterOutcome::added);
  CHECK(edit.parts == std::vector<std::string>{"1.1", "1.2"});
  CHECK(edit.body.ends_with(raw.substr(raw.find("\r\n--rel\r\nContent-Type: image"))));
  const MimeView after = parse_message(rebuild(raw, edit));
  check_same_attachments(before, after);
  REQUIRE(after.text_parts.size() == 2);
  for (const TextPart& part : after.text_parts)
    CHECK(count_of(part.text, kFooter.marker) == 1);
}

// An LF-only message keeps LF in the edited part: the text before the footer byte for byte.
TEST_CASE("LF-only messages keep LF line ends in the edited part", "[footer]") {
  const std::string raw = kHead + "Content-Type: text/plain\n\nHello Bob,\nAlice\n";
  const FooterEdit edit = add_footer(raw, kFooter);
  REQUIRE(edit.outcome == FooterOutcome::added);
  CHECK(edit.body == "Hello Bob,\nAlice\n" + footer_lf());
  CHECK(edit.body.find('\r') == std::string::npos);
}

// ASCII bytes appended to UTF-16 (or UTF-32) text would make the whole part read as garbage.
TEST_CASE("a UTF-16 text is refused or gets the footer in UTF-16", "[footer]") {
  std::string utf16 = "\xFF\xFE";
  for (const char c : std::string("Hello Bob,\r\nAlice\r\n")) {
    utf16.push_back(c);
    utf16.push_back('\0');
  }
  const std::string raw =
      single("Content-Type: text/plain; charset=utf-16\nContent-Transfer-Encoding: base64\n", "") +
      base64_lines(utf16);
  REQUIRE(parse_message(raw).text_parts.at(0).text == "Hello Bob,\nAlice\n");
  const FooterEdit edit = add_footer(raw, kFooter);
  if (edit.outcome != FooterOutcome::added) {
    // Refusing is acceptable; garbling is not.
    CHECK(edit.outcome == FooterOutcome::not_representable);
    return;
  }
  const MimeView view = parse_message(rebuild(raw, edit));
  CHECK(view.text_parts.at(0).text == "Hello Bob,\nAlice\n" + footer_lf());
}

// Without MIME-Version: 1.0 (RFC 2045 section 4) a strict reader treats the body as plain
// US-ASCII and shows "=C2=A9" literally.
TEST_CASE("a non-MIME message made MIME gets MIME-Version", "[footer]") {
  const std::string raw = crlf(
      "From: cron@medway.gov.uk\nTo: ops@example.com\nSubject: Nightly backup\n\n"
      "Backup finished.\n");
  const FooterText copyright{"\xC2\xA9 Medway Council", "", "Medway Council"};
  const FooterEdit edit = add_footer(raw, copyright);
  REQUIRE(edit.outcome == FooterOutcome::added);
  REQUIRE(change_of(edit, "Content-Transfer-Encoding") != nullptr);
  const std::string* version = change_of(edit, "MIME-Version");
  REQUIRE(version != nullptr);
  CHECK(*version == "1.0");
}
