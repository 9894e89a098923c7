// MIME view: decoded headers, addresses, text parts, attachment tree, nesting, bad input, limits.
#include <glib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mime/compose.hpp"
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

// A string literal that may hold NUL bytes.
template <size_t N>
std::string with_nuls(const char (&text)[N]) {
  return std::string(text, N - 1);
}

bool valid_utf8(std::string_view text) {
  return g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr) != 0 &&
         text.find('\0') == std::string_view::npos;
}

// Every string a rule can see is valid UTF-8, whatever the input was.
void check_all_utf8(const MimeView& view) {
  for (const auto& field : view.headers) {
    CHECK(valid_utf8(field.name));
    CHECK(valid_utf8(field.value));
  }
  CHECK(valid_utf8(view.subject));
  CHECK(valid_utf8(view.from_header));
  for (const auto* list : {&view.from, &view.to, &view.cc, &view.bcc, &view.reply_to}) {
    for (const auto& mailbox : *list) {
      CHECK(valid_utf8(mailbox.display_name));
      CHECK(valid_utf8(mailbox.address));
    }
  }
  for (const auto& part : view.text_parts)
    CHECK(valid_utf8(part.text));
  for (const auto& part : view.attachments)
    CHECK(valid_utf8(part.filename));
  for (const auto& problem : view.problems)
    CHECK(valid_utf8(problem));
}

std::vector<std::string> strings(const std::vector<std::string_view>& views) {
  return {views.begin(), views.end()};
}

std::vector<std::string> header_names(const MimeView& view) {
  std::vector<std::string> names;
  for (const auto& field : view.headers)
    names.push_back(field.name);
  return names;
}

std::vector<std::string> text_paths(const MimeView& view) {
  std::vector<std::string> paths;
  for (const auto& part : view.text_parts)
    paths.push_back(part.path);
  return paths;
}

std::vector<std::string> attachment_paths(const MimeView& view) {
  std::vector<std::string> paths;
  for (const auto& part : view.attachments)
    paths.push_back(part.path);
  return paths;
}

const TextPart& text_at(const MimeView& view, std::string_view path) {
  for (const auto& part : view.text_parts) {
    if (part.path == path) return part;
  }
  FAIL("no text part " << path);
  throw std::logic_error("unreachable");
}

const Attachment& attachment_at(const MimeView& view, std::string_view path) {
  for (const auto& part : view.attachments) {
    if (part.path == path) return part;
  }
  FAIL("no attachment " << path);
  throw std::logic_error("unreachable");
}

std::string message_with_header(const std::string& name, const std::string& raw_value) {
  return "From: a@example.com\n" + name + ": " + raw_value + "\n\nbody\n";
}

std::string text_message(const std::string& content_headers, const std::string& body) {
  return "From: a@example.com\nSubject: t\nMIME-Version: 1.0\n" + content_headers + "\n" + body;
}

struct HeaderCase {
  const char* label;
  std::string raw;
  std::string decoded;
};

}  // namespace

TEST_CASE("header fields are unfolded and RFC 2047 decoded to UTF-8", "[mime][headers]") {
  const std::vector<HeaderCase> cases = {
      {"plain ASCII", "hello world", "hello world"},
      {"B, utf-8", "=?utf-8?B?w6lsw6h2ZQ==?=", "élève"},
      {"Q, utf-8, underscore is space", "=?UTF-8?Q?caf=C3=A9_au_lait?=", "café au lait"},
      {"Q, iso-8859-1, then text", "=?iso-8859-1?Q?Andr=E9?= Pirard", "André Pirard"},
      {"B, iso-8859-1", "=?ISO-8859-1?B?QWxs9CBNb25kZQ==?=", "Allô Monde"},
      {"Q, windows-1252 quotes and euro", "=?windows-1252?Q?=93quoted=94_=80?=", "“quoted” €"},
      {"q lower case, iso-8859-15", "=?iso-8859-15?q?=A4uro?=", "€uro"},
      {"B, koi8-r", "=?koi8-r?B?8NLJ18XU?=", "Привет"},
      {"b lower case", "=?utf-8?b?w6k=?=", "é"},
      {"text around a word", "Re: =?utf-8?Q?caf=C3=A9?= meeting", "Re: café meeting"},
      {"space between words is dropped", "=?utf-8?Q?one?= =?utf-8?Q?two?=", "onetwo"},
      {"folding between words is dropped", "=?utf-8?Q?one?=\n =?utf-8?Q?_two?=", "one two"},
      {"padded B words (GMime #133)", "=?UTF-8?B?SGVsbG8=?= =?UTF-8?B?IHdvcmxk?=", "Hello world"},
      {"two padded B words", "=?utf-8?B?YWI=?= =?utf-8?B?Y2Q=?=", "abcd"},
      {"three B words", "=?utf-8?B?YQ==?= =?utf-8?B?Yg==?= =?utf-8?B?Yw==?=", "abc"},
      {"B words without space", "=?utf-8?B?w6k=?==?utf-8?B?w6g=?=", "éè"},
      {"character split over Q words", "=?utf-8?Q?caf=C3?= =?utf-8?Q?=A9?=", "café"},
      {"character split over unpadded B words", "=?utf-8?B?4o?= =?utf-8?B?Ks?=", "€"},
      {"character split over Q and B words", "=?utf-8?Q?caf=C3?= =?utf-8?B?qQ==?=", "café"},
      {"adjacent words in two charsets", "=?iso-8859-1?Q?=E9?= =?utf-8?Q?=C3=A8?=", "éè"},
      {"RFC 2231 language suffix", "=?utf-8*fr?Q?caf=C3=A9?=", "café"},
      {"unknown charset falls back", "=?x-no-such-charset?Q?caf=E9?=", "café"},
      {"utf-8 that is really Latin-1", "=?utf-8?Q?caf=E9?=", "café"},
      {"folded plain text", "one\n two\n\tthree", "one two\tthree"},
      {"unknown encoding stays literal", "=?utf-8?X?abc?=", "=?utf-8?X?abc?="},
      {"unterminated word stays literal", "=?utf-8?Q?open", "=?utf-8?Q?open"},
      {"raw UTF-8", "caf\xC3\xA9", "café"},
      {"raw Latin-1", "caf\xE9", "café"},
      {"soft hyphen dropped", "=?utf-8?Q?con=C2=ADfiden=E2=80=8Btial?=", "confidential"},
      {"empty value", "", ""},
  };
  for (const auto& row : cases) {
    for (const bool use_crlf : {false, true}) {
      INFO(row.label << (use_crlf ? " (CRLF)" : " (LF)"));
      std::string raw = message_with_header("X-Test", row.raw);
      if (use_crlf) raw = crlf(raw);
      const MimeView view = parse_message(raw);
      CHECK(strings(view.header_values("X-Test")) == std::vector<std::string>{row.decoded});
      check_all_utf8(view);
    }
  }
}

TEST_CASE("subject is decoded - a repeated Subject gives the last, all stay in headers",
          "[mime][headers]") {
  const MimeView one = parse_message(
      "Subject: =?utf-8?B?4oKs?= =?utf-8?B?IDEwMCBpbnZvaWNl?=\nFrom: a@example.com\n\nx\n");
  CHECK(one.subject == "€ 100 invoice");

  const MimeView two = parse_message("Subject: first\nSubject: second\n\nx\n");
  CHECK(two.subject == "second");
  CHECK(strings(two.header_values("subject")) == std::vector<std::string>{"first", "second"});

  CHECK(parse_message("From: a@example.com\n\nx\n").subject.empty());
}

TEST_CASE("headers keep their order and include the top-level Content-* fields",
          "[mime][headers]") {
  const std::string raw =
      "Received: from a by b\n"
      "MIME-Version: 1.0\n"
      "From: a@example.com\n"
      "Content-Type: text/html;\n charset=utf-8\n"
      "X-Mailer: test\n"
      "Content-Transfer-Encoding: 8bit\n"
      "Subject: s\n"
      "x-mailer: second\n"
      "\n"
      "<p>hi</p>\n";
  for (const std::string& message : {raw, crlf(raw)}) {
    const MimeView view = parse_message(message);
    CHECK(header_names(view) ==
          std::vector<std::string>{"Received", "MIME-Version", "From", "Content-Type", "X-Mailer",
                                   "Content-Transfer-Encoding", "Subject", "x-mailer"});
    CHECK(strings(view.header_values("content-type")) ==
          std::vector<std::string>{"text/html; charset=utf-8"});
    CHECK(strings(view.header_values("CONTENT-TRANSFER-ENCODING")) ==
          std::vector<std::string>{"8bit"});
    CHECK(strings(view.header_values("X-Mailer")) == std::vector<std::string>{"test", "second"});
    CHECK(view.header_values("X-Missing").empty());
    CHECK(view.header_values("").empty());
    CHECK(view.header_values("X-Mailer ").empty());
  }
}

TEST_CASE("Content-* fields of inner parts are not top-level headers", "[mime][headers]") {
  const MimeView view = parse_message(
      "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: text/plain\nContent-Description: inner\n\nx\n--b--\n");
  CHECK(header_names(view) == std::vector<std::string>{"From", "Content-Type"});
  CHECK(view.header_values("Content-Description").empty());
}

namespace {

struct MailboxRow {
  std::string name;
  std::string address;
};

std::vector<MailboxRow> rows(const std::vector<Mailbox>& list) {
  std::vector<MailboxRow> out;
  for (const auto& mailbox : list)
    out.push_back({mailbox.display_name, mailbox.address});
  return out;
}

bool operator==(const MailboxRow& a, const MailboxRow& b) {
  return a.name == b.name && a.address == b.address;
}

std::ostream& operator<<(std::ostream& out, const MailboxRow& row) {
  return out << '"' << row.name << "\" <" << row.address << '>';
}

}  // namespace

TEST_CASE("address lists: groups, quoted and encoded display names", "[mime][addresses]") {
  const std::string raw =
      "From: =?iso-8859-1?Q?Andr=E9?= Pirard <pirard@example.com>\n"
      "To: \"Team\" <a@example.com>, Friends: =?UTF-8?B?SsO8cmdlbg==?= <j@example.org>,\n"
      " bob@example.net;, c@example.com\n"
      "Cc: \"Doe, John\" <j.doe@example.com>, =?utf-8?Q?Ren=C3=A9e?= <r@example.com>\n"
      "Bcc: Hidden: a@example.com, \"B\" <b@example.com>;\n"
      "Reply-To: <reply@example.com>,\n =?utf-8?B?WWFtYWRh?= =?utf-8?B?IFRhcm8=?= "
      "<taro@example.jp>\n"
      "Subject: s\n\nbody\n";
  for (const std::string& message : {raw, crlf(raw)}) {
    const MimeView view = parse_message(message);
    CHECK(rows(view.from) == std::vector<MailboxRow>{{"André Pirard", "pirard@example.com"}});
    CHECK(view.from_header == "André Pirard <pirard@example.com>");
    CHECK(rows(view.to) == std::vector<MailboxRow>{{"Team", "a@example.com"},
                                                   {"Jürgen", "j@example.org"},
                                                   {"", "bob@example.net"},
                                                   {"", "c@example.com"}});
    CHECK(rows(view.cc) ==
          std::vector<MailboxRow>{{"Doe, John", "j.doe@example.com"}, {"Renée", "r@example.com"}});
    CHECK(rows(view.bcc) == std::vector<MailboxRow>{{"", "a@example.com"}, {"B", "b@example.com"}});
    CHECK(rows(view.reply_to) ==
          std::vector<MailboxRow>{{"", "reply@example.com"}, {"Yamada Taro", "taro@example.jp"}});
    CHECK_FALSE(view.malformed);
  }
}

TEST_CASE("address lists: edge cases", "[mime][addresses]") {
  SECTION("an empty group has no mailboxes") {
    const MimeView view = parse_message("From: a@example.com\nTo: undisclosed-recipients:;\n\nx\n");
    CHECK(view.to.empty());
    CHECK(strings(view.header_values("To")) ==
          std::vector<std::string>{"undisclosed-recipients:;"});
  }
  SECTION("an encoded display name cannot inject an address") {
    const MimeView view = parse_message(
        "From: =?utf-8?Q?=22Boss=22_=3Cboss=40medway=2Egov=2Euk=3E?= <evil@example.net>\n\nx\n");
    CHECK(rows(view.from) ==
          std::vector<MailboxRow>{{"\"Boss\" <boss@medway.gov.uk>", "evil@example.net"}});
  }
  SECTION("a quoted encoded word is decoded") {
    const MimeView view =
        parse_message("From: \"=?utf-8?B?w4lsaXNl?=\" <elise@example.com>\n\nx\n");
    CHECK(rows(view.from) == std::vector<MailboxRow>{{"Élise", "elise@example.com"}});
    CHECK(view.from_header == "\"Élise\" <elise@example.com>");
  }
  SECTION("two From fields give both mailboxes, from_header is the first") {
    const MimeView view = parse_message("From: a@example.com\nFrom: b@example.com\n\nx\n");
    CHECK(rows(view.from) == std::vector<MailboxRow>{{"", "a@example.com"}, {"", "b@example.com"}});
    CHECK(view.from_header == "a@example.com");
  }
  SECTION("header names are case-insensitive") {
    const MimeView view = parse_message("FROM: a@example.com\ncc: c@example.com\n\nx\n");
    CHECK(rows(view.from) == std::vector<MailboxRow>{{"", "a@example.com"}});
    CHECK(rows(view.cc) == std::vector<MailboxRow>{{"", "c@example.com"}});
  }
  SECTION("a missing field gives an empty list") {
    const MimeView view = parse_message("Subject: x\n\nx\n");
    CHECK(view.from.empty());
    CHECK(view.from_header.empty());
    CHECK(view.to.empty());
  }
}

namespace {

struct TextCase {
  const char* label;
  std::string content_headers;
  std::string body;
  std::string text;
};

}  // namespace

TEST_CASE("text parts are decoded to UTF-8 from every transfer encoding and charset",
          "[mime][text]") {
  const std::vector<TextCase> cases = {
      {"7bit, no Content-Type", "", "plain words\n", "plain words\n"},
      {"QP soft breaks inside words",
       "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: "
       "quoted-printable\n",
       "Caf=E9 soft=\nbreak in wo=\nrd, con=\nfidential.\n",
       "Café softbreak in word, confidential.\n"},
      {"QP soft break inside a UTF-8 character",
       "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n",
       "caf=C3=\n=A9 =E2=82=\n=AC\n", "café €\n"},
      {"QP with lower-case hex and a trailing space",
       "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: Quoted-Printable\n",
       "a=3db =c3=a9=20\n", "a=b é \n"},
      {"base64 utf-8 over lines",
       "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n",
       "w4lsw6h2ZXMgZXQgcHJv\nZmVzc2V1cnMK\n", "Élèves et professeurs\n"},
      {"base64 iso-8859-1",
       "Content-Type: text/plain; charset=\"ISO-8859-1\"\nContent-Transfer-Encoding: BASE64\n",
       "QWxs9CBNb25kZQ==\n", "Allô Monde"},
      {"8bit windows-1252",
       "Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit\n",
       "\x93Smart\x94 quotes \x80 and \xE9\n", "“Smart” quotes € and é\n"},
      {"QP windows-1252",
       "Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: "
       "quoted-printable\n",
       "it=92s =85\n", "it’s …\n"},
      {"base64 koi8-r",
       "Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: base64\n",
       "8NLJ18XU\n", "Привет"},
      {"8bit koi8-r", "Content-Type: text/plain; charset=KOI8-R\nContent-Transfer-Encoding: 8bit\n",
       "\xF0\xD2\xC9\xD7\xC5\xD4\n", "Привет\n"},
      {"iso-2022-jp, a stateful charset", "Content-Type: text/plain; charset=iso-2022-jp\n",
       "\x1B$B$3$s$K$A$O\x1B(B\n", "こんにちは\n"},
      {"utf-16le, NUL bytes that are characters",
       "Content-Type: text/plain; charset=utf-16le\nContent-Transfer-Encoding: base64\n",
       "aABpACAA6QA=\n", "hi é"},
      {"unknown charset falls back to a guess",
       "Content-Type: text/plain; charset=x-no-such-charset\nContent-Transfer-Encoding: 8bit\n",
       "caf\xE9 cr\xE8me\n", "café crème\n"},
      {"utf-8 declared, Latin-1 sent",
       "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n",
       "lying caf\xE9\n", "lying café\n"},
      {"us-ascii declared, UTF-8 sent",
       "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 8bit\n",
       "na\xC3\xAFve\n", "naïve\n"},
      {"no charset, UTF-8 sent", "Content-Type: text/plain\n", "na\xC3\xAFve\n", "naïve\n"},
      {"NUL bytes do not cut the text short", "Content-Type: text/plain\n",
       with_nuls("bad\0word here\n"), "bad\uFFFDword here\n"},
      {"NUL bytes in Latin-1 text", "Content-Type: text/plain; charset=iso-8859-1\n",
       with_nuls("caf\xE9\0cr\xE8me\n"), "café\uFFFDcrème\n"},
      {"invisible characters are dropped", "Content-Type: text/plain; charset=utf-8\n",
       "con\xC2\xAD"
       "fiden\xE2\x80\x8Btial\xEF\xBB\xBF\n",
       "confidential\n"},
      {"text/html is turned into text",
       "Content-Type: text/html; charset=windows-1252\nContent-Transfer-Encoding: "
       "quoted-printable\n",
       "<p>Fish &amp; chips&nbsp;=80 caf=E9 it&#8217;s</p><script>var x=3D1;</script>\n",
       "Fish & chips € café it’s\n"},
  };
  for (const auto& row : cases) {
    for (const bool use_crlf : {false, true}) {
      INFO(row.label << (use_crlf ? " (CRLF)" : " (LF)"));
      std::string raw = text_message(row.content_headers, row.body);
      if (use_crlf) raw = crlf(raw);
      const MimeView view = parse_message(raw);
      REQUIRE(view.text_parts.size() == 1);
      CHECK(view.text_parts[0].text == row.text);
      CHECK(view.text_parts[0].path == "1");
      CHECK(view.text_parts[0].message_depth == 0);
      CHECK(view.attachments.empty());
      CHECK_FALSE(view.malformed);
      check_all_utf8(view);
    }
  }
}

TEST_CASE("text parts have LF line ends whether the message came with LF or CRLF", "[mime][text]") {
  const std::string raw =
      "From: a@example.com\nContent-Type: multipart/alternative; boundary=b\n\n"
      "--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: "
      "quoted-printable\n\n"
      "line one=\n continues\nline two\n\n--b\n"
      "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
      "bGluZSBvbmUNCmxpbmUgdHdvDQo=\n--b--\n";
  for (const std::string& message : {raw, crlf(raw)}) {
    const MimeView view = parse_message(message);
    REQUIRE(view.text_parts.size() == 2);
    CHECK(view.text_parts[0].text == "line one continues\nline two\n");
    CHECK(view.text_parts[1].text == "line one\nline two\n");  // CRLF inside base64 too
  }
}

TEST_CASE("text/plain and text/html alternatives are both kept, in order", "[mime][text]") {
  const MimeView view = parse_message(
      "From: a@example.com\nContent-Type: multipart/alternative; boundary=\"alt\"\n\n"
      "--alt\nContent-Type: text/plain; charset=utf-8\n\nHello *world*\n"
      "--alt\nContent-Type: text/html; charset=utf-8\n\n"
      "<html><head><title>Hi</title><style>p{}</style></head>"
      "<body><p>Hello <b>world</b></p><div>bye</div></body></html>\n"
      "--alt--\n");
  REQUIRE(view.text_parts.size() == 2);
  CHECK(view.text_parts[0].path == "1");
  CHECK(view.text_parts[0].content_type == "text/plain");
  CHECK(view.text_parts[0].text == "Hello *world*");
  CHECK(view.text_parts[1].path == "2");
  CHECK(view.text_parts[1].content_type == "text/html");
  CHECK(view.text_parts[1].text == "Hi\nHello world\nbye\n");
  CHECK(view.attachments.empty());
}

namespace {

// One of each way to name a file, plus text parts that are attachments.
const std::string kAttachments = R"(From: a@example.com
To: b@example.com
Subject: attachments
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

preamble is not text
--XX
Content-Type: text/plain; charset=utf-8

Hello
--XX
Content-Type: APPLICATION/PDF
Content-Disposition: ATTACHMENT;
 filename*0="annual ";
 filename*1="report.pdf"
Content-Transfer-Encoding: base64

SGVsbG8gV29ybGQ=
--XX
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*=utf-8''price%20%E2%82%AC.txt

abc
--XX
Content-Type: application/vnd.ms-excel; name="=?utf-8?B?w6l0w6kueGxz?="
Content-Transfer-Encoding: base64

AAEC/w==
--XX
Content-Type: image/png
Content-Disposition: inline; filename="=?iso-8859-1?Q?caf=E9.png?="

png
--XX
Content-Type: application/zip
Content-Disposition: attachment; filename*0*=iso-8859-1''r%E9sum%E9; filename*1=".zip"

zip
--XX
Content-Type: text/plain; name="notes.txt"

plain attachment
--XX
Content-Type: text/html
Content-Disposition: attachment

<p>saved page</p>
--XX
Content-Type: application/pdf
Content-Disposition: attachment; filename="=?utf-8?B?YWI=?= =?utf-8?B?Y2Q=?=.pdf"

x
--XX
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*0*=utf-8''%E2%82%AC; filename*1*=%20rate; filename*2=".csv"
Content-Transfer-Encoding: quoted-printable

a=3Db
--XX
Content-Type: image/gif
Content-Transfer-Encoding: base64

R0lGODlh
--XX--
epilogue is not text
)";

struct AttachmentRow {
  std::string path;
  std::string filename;
  std::string content_type;
  std::string disposition;
  size_t size;
  std::string bytes;
};

}  // namespace

TEST_CASE("attachment tree: names, declared types, dispositions, decoded sizes and bytes",
          "[mime][attachments]") {
  const std::vector<AttachmentRow> expected = {
      {"2", "annual report.pdf", "application/pdf", "attachment", 11, "Hello World"},
      {"3", "price €.txt", "application/octet-stream", "attachment", 3, "abc"},
      {"4", "été.xls", "application/vnd.ms-excel", "", 4, with_nuls("\x00\x01\x02\xFF")},
      {"5", "café.png", "image/png", "inline", 3, "png"},
      {"6", "résumé.zip", "application/zip", "attachment", 3, "zip"},
      {"7", "notes.txt", "text/plain", "", 16, "plain attachment"},
      {"8", "", "text/html", "attachment", 17, "<p>saved page</p>"},
      {"9", "abcd.pdf", "application/pdf", "attachment", 1, "x"},
      {"10", "€ rate.csv", "application/octet-stream", "attachment", 3, "a=b"},
      {"11", "", "image/gif", "", 6, "GIF89a"},
  };
  for (const std::string& message : {kAttachments, crlf(kAttachments)}) {
    const MimeView view = parse_message(message);
    CHECK_FALSE(view.malformed);
    CHECK_FALSE(view.limit_exceeded);
    // Attached text files are read as text too (their words reach the reader), and flagged.
    REQUIRE(view.text_parts.size() == 3);
    CHECK(view.text_parts[0].path == "1");
    CHECK(view.text_parts[0].text == "Hello");
    CHECK_FALSE(view.text_parts[0].attached);
    CHECK(view.text_parts[1].path == "7");
    CHECK(view.text_parts[1].text == "plain attachment");
    CHECK(view.text_parts[1].attached);
    CHECK(view.text_parts[1].filename == "notes.txt");
    CHECK(view.text_parts[2].path == "8");
    CHECK(view.text_parts[2].text == "saved page\n");
    CHECK(view.text_parts[2].attached);
    REQUIRE(view.attachments.size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      const Attachment& got = view.attachments[i];
      const AttachmentRow& want = expected[i];
      INFO("attachment " << want.path);
      CHECK(got.path == want.path);
      CHECK(got.filename == want.filename);
      CHECK(got.content_type == want.content_type);
      CHECK(got.disposition == want.disposition);
      CHECK(got.size == want.size);
      CHECK(got.bytes == want.bytes);
      CHECK(got.message_depth == 0);
      if (want.filename.empty()) {
        CHECK(got.names.empty());
      } else {
        CHECK(got.names == std::vector<std::string>{want.filename});
      }
    }
  }
}

TEST_CASE("a part that goes by several names keeps them all", "[mime][attachments]") {
  const auto only_attachment = [](const std::string& part_headers) {
    const MimeView view =
        parse_message("From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n" +
                      part_headers + "\nMZ\n--b--\n");
    REQUIRE(view.attachments.size() == 1);
    return view.attachments[0];
  };
  SECTION("RFC 2231 filename* wins over a plain filename next to it, as in RFC-aware readers") {
    const Attachment part = only_attachment(
        "Content-Type: application/octet-stream\n"
        "Content-Disposition: attachment; filename=\"report.pdf\";\n"
        " filename*=utf-8''report%2Eexe\n");
    CHECK(part.filename == "report.exe");
    CHECK(part.names == std::vector<std::string>{"report.exe", "report.pdf"});
  }
  SECTION("Content-Disposition filename first, Content-Type name after") {
    const Attachment part = only_attachment(
        "Content-Type: application/octet-stream; name=\"report.exe\"\n"
        "Content-Disposition: attachment; filename=\"report.pdf\"\n");
    CHECK(part.filename == "report.pdf");
    CHECK(part.names == std::vector<std::string>{"report.pdf", "report.exe"});
  }
  SECTION("the same name twice is listed once") {
    const Attachment part = only_attachment(
        "Content-Type: application/pdf; name=\"a.pdf\"\n"
        "Content-Disposition: attachment; filename=\"a.pdf\"\n");
    CHECK(part.names == std::vector<std::string>{"a.pdf"});
  }
  SECTION("name only") {
    const Attachment part =
        only_attachment("Content-Type: application/x-msdownload; name=run.exe\n");
    CHECK(part.filename == "run.exe");
    CHECK(part.disposition.empty());
    CHECK(part.names == std::vector<std::string>{"run.exe"});
  }
}

TEST_CASE("attachment content types are lower case, a missing one is text/plain",
          "[mime][attachments]") {
  const MimeView view = parse_message(
      "From: a@example.com\nContent-Type: Multipart/Mixed; boundary=b\n\n"
      "--b\nContent-Type: Application/X-ZIP-Compressed; Name=a.zip\n\nz\n"
      "--b\nContent-Disposition: attachment; filename=untyped.bin\n\nu\n"
      "--b--\n");
  CHECK(attachment_paths(view) == std::vector<std::string>{"1", "2"});
  CHECK(attachment_at(view, "1").content_type == "application/x-zip-compressed");
  CHECK(attachment_at(view, "1").filename == "a.zip");
  CHECK(attachment_at(view, "2").content_type == "text/plain");
  CHECK(attachment_at(view, "2").filename == "untyped.bin");
}

namespace {

const std::string kForward = R"(From: a@example.com
Subject: fwd
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: text/plain

See below.
--outer
Content-Type: message/rfc822; name="original.eml"
Content-Disposition: attachment; filename="original.eml"

From: c@example.org
Subject: =?utf-8?Q?inner_=E2=82=AC?=
Content-Type: multipart/mixed; boundary="inner"

--inner
Content-Type: text/html; charset=windows-1252
Content-Transfer-Encoding: quoted-printable

<p>Inner &amp; <b>bold</b> =93q=94</p>
--inner
Content-Type: application/x-msdownload
Content-Disposition: attachment; filename="run.exe"
Content-Transfer-Encoding: base64

TVqQAA==
--inner
Content-Type: message/rfc822

Subject: deepest

deepest text
--inner--
--outer
Content-Type: message/rfc822

Subject: single

just text
--outer--
)";

}  // namespace

TEST_CASE("forwarded messages are walked: paths, depths and the attachments inside",
          "[mime][nesting]") {
  for (const std::string& message : {kForward, crlf(kForward)}) {
    const MimeView view = parse_message(message);
    CHECK_FALSE(view.malformed);
    CHECK(view.subject == "fwd");
    CHECK(text_paths(view) == std::vector<std::string>{"1", "2.1", "2.3.1", "3.1"});
    CHECK(text_at(view, "1").text == "See below.");
    CHECK(text_at(view, "1").message_depth == 0);
    CHECK(text_at(view, "2.1").content_type == "text/html");
    CHECK(text_at(view, "2.1").text == "Inner & bold “q”\n");
    CHECK(text_at(view, "2.1").message_depth == 1);
    CHECK(text_at(view, "2.3.1").text == "deepest text");
    CHECK(text_at(view, "2.3.1").message_depth == 2);
    CHECK(text_at(view, "3.1").text == "just text");
    CHECK(text_at(view, "3.1").message_depth == 1);

    CHECK(attachment_paths(view) == std::vector<std::string>{"2", "2.2", "2.3", "3"});
    const Attachment& forwarded = attachment_at(view, "2");
    CHECK(forwarded.content_type == "message/rfc822");
    CHECK(forwarded.filename == "original.eml");
    CHECK(forwarded.disposition == "attachment");
    CHECK(forwarded.message_depth == 0);
    CHECK(forwarded.bytes.rfind("From: c@example.org", 0) == 0);
    CHECK(forwarded.size == forwarded.bytes.size());
    const Attachment& program = attachment_at(view, "2.2");
    CHECK(program.filename == "run.exe");
    CHECK(program.content_type == "application/x-msdownload");
    CHECK(program.bytes == with_nuls("MZ\x90\x00"));
    CHECK(program.size == 4);
    CHECK(program.message_depth == 1);
    CHECK(attachment_at(view, "2.3").message_depth == 1);
    CHECK(attachment_at(view, "3").filename.empty());
    // Headers of forwarded messages are not the message's headers.
    CHECK(strings(view.header_values("Subject")) == std::vector<std::string>{"fwd"});
  }
}

TEST_CASE("a message that is only a forwarded message", "[mime][nesting]") {
  const MimeView view = parse_message(
      "From: a@example.com\nContent-Type: message/rfc822\n\n"
      "From: b@example.com\nContent-Type: text/plain; charset=iso-8859-1\n\ninner caf\xE9\n");
  CHECK(attachment_paths(view) == std::vector<std::string>{"1"});
  CHECK(attachment_at(view, "1").content_type == "message/rfc822");
  REQUIRE(view.text_parts.size() == 1);
  CHECK(view.text_parts[0].path == "1.1");
  CHECK(view.text_parts[0].text == "inner café\n");
  CHECK(view.text_parts[0].message_depth == 1);
  CHECK(rows(view.from) == std::vector<MailboxRow>{{"", "a@example.com"}});
}

TEST_CASE("nested multiparts are numbered like IMAP", "[mime][nesting]") {
  const MimeView view = parse_message(
      "From: a@example.com\nContent-Type: multipart/mixed; boundary=m\n\n"
      "--m\nContent-Type: multipart/alternative; boundary=a\n\n"
      "--a\nContent-Type: text/plain\n\nplain\n"
      "--a\nContent-Type: multipart/related; boundary=r\n\n"
      "--r\nContent-Type: text/html\n\n<p>html</p>\n"
      "--r\nContent-Type: image/png\nContent-ID: <logo>\n\nPNG\n--r--\n"
      "--a--\n"
      "--m\nContent-Type: application/pdf; name=a.pdf\n\nPDF\n--m--\n");
  CHECK(text_paths(view) == std::vector<std::string>{"1.1", "1.2.1"});
  CHECK(text_at(view, "1.2.1").text == "html\n");
  CHECK(attachment_paths(view) == std::vector<std::string>{"1.2.2", "2"});
  CHECK(attachment_at(view, "1.2.2").content_type == "image/png");
  CHECK(attachment_at(view, "2").filename == "a.pdf");
  CHECK_FALSE(view.malformed);
}

TEST_CASE("malformed structure is flagged and what could be read is kept", "[mime][malformed]") {
  SECTION("multipart without a boundary: its body is inspected as text") {
    const MimeView view = parse_message(
        "From: a@example.com\nSubject: nb\nContent-Type: multipart/mixed\n\n"
        "--x\nContent-Type: text/plain\n\nsecret words\n--x--\n");
    CHECK(view.malformed);
    CHECK(view.subject == "nb");
    REQUIRE(view.text_parts.size() == 1);
    CHECK(view.text_parts[0].path == "1");
    CHECK(view.text_parts[0].text == "--x\nContent-Type: text/plain\n\nsecret words\n--x--\n");
    CHECK_FALSE(view.problems.empty());
    check_all_utf8(view);
  }
  SECTION("multipart whose boundary never appears") {
    const MimeView view = parse_message(
        "From: a@example.com\nContent-Type: multipart/mixed; boundary=abc\n\n"
        "--xyz\nContent-Type: text/plain\n\nsecret words\n--xyz--\n");
    CHECK(view.malformed);
    REQUIRE(view.text_parts.size() == 1);
    CHECK(view.text_parts[0].text.find("secret words") != std::string::npos);
  }
  SECTION("truncated multipart: parts before the cut and the cut part survive") {
    const MimeView view = parse_message(
        "From: a@example.com\nContent-Type: multipart/mixed; boundary=x\n\n"
        "--x\nContent-Type: text/plain\n\nhello\n"
        "--x\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf\n"
        "Content-Transfer-Encoding: base64\n\nSGVsbG8g");
    CHECK(view.malformed);
    CHECK(text_paths(view) == std::vector<std::string>{"1"});
    CHECK(text_at(view, "1").text == "hello");
    CHECK(attachment_at(view, "2").filename == "a.pdf");
    CHECK(attachment_at(view, "2").bytes == "Hello ");
  }
  SECTION("truncated inside a nested message") {
    const MimeView view = parse_message(
        "From: a@example.com\nContent-Type: multipart/mixed; boundary=x\n\n"
        "--x\nContent-Type: message/rfc822\n\nSubject: inner\n"
        "Content-Type: multipart/mixed; boundary=y\n\n--y\nContent-Type: text/plain\n\ncut he");
    CHECK(view.malformed);
    CHECK(text_at(view, "1.1").text == "cut he");
    CHECK(text_at(view, "1.1").message_depth == 1);
  }
  SECTION("an unparsable header block: the raw bytes are inspected as text") {
    const std::string raw = with_nuls("\x01\x02garbage\xFF\xFE with no header\0 and more\n");
    const MimeView view = parse_message(raw);
    CHECK(view.malformed);
    REQUIRE(view.text_parts.size() == 1);
    CHECK(view.text_parts[0].text.find("garbage") != std::string::npos);
    CHECK(view.text_parts[0].text.find("and more") != std::string::npos);
    check_all_utf8(view);
  }
}

TEST_CASE("bad input never throws and always gives valid UTF-8", "[mime][malformed]") {
  std::vector<std::string> inputs = {
      "",
      "\n",
      "\r\n\r\n",
      ":",
      "From:",
      "From: a@example.com\nContent-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n",
      "From: a@example.com\nContent-Type: multipart/mixed; boundary=x\n\n--x\n--x\n--x--\n",
      "From: a@example.com\nContent-Type: message/rfc822\n\n",
      "From: a@example.com\nContent-Type: text/plain; charset=\"\n\nx\n",
      "From: a@example.com\nContent-Transfer-Encoding: base64\n\n!!!!====****\n",
      "From: a@example.com\nContent-Transfer-Encoding: quoted-printable\n\n=ZZ=\n=4\n",
      "From: a@example.com\nContent-Type: text/html\n\n<<<<>>>>&&&;;<p<p<p\n",
      "Subject: =?utf-8?B?====?= =?utf-8?Q?=?= =?=?=?==?\n\nx\n",
      "To: <<<@@@>>>, \"unterminated\n\nx\n",
      std::string(100000, 'A'),
      "X-Long: " + std::string(200000, 'b') + "\n\nx\n",
      with_nuls("From: a\0b@example.com\nSubject: nul\0here\n\nbody\0text\n"),
  };
  // Deterministic junk with every byte value.
  std::string junk;
  guint32 state = 12345;
  for (int i = 0; i < 4096; ++i) {
    state = state * 1103515245U + 12345U;
    junk.push_back(static_cast<char>(state >> 24));
  }
  inputs.push_back(junk);
  inputs.push_back("From: a@example.com\nContent-Type: multipart/mixed; boundary=j\n\n--j\n" +
                   junk + "\n--j--\n");
  for (size_t i = 0; i < inputs.size(); ++i) {
    INFO("input " << i);
    MimeView view;
    CHECK_NOTHROW(view = parse_message(inputs[i]));
    check_all_utf8(view);
  }
}

TEST_CASE("empty and header-only messages", "[mime][malformed]") {
  SECTION("empty input is malformed, with one empty text part") {
    const MimeView view = parse_message("");
    CHECK(view.malformed);
    CHECK(view.headers.empty());
    REQUIRE(view.text_parts.size() == 1);
    CHECK(view.text_parts[0].text.empty());
  }
  SECTION("header-only message is complete (RFC 5322 makes the body optional)") {
    for (const std::string& raw : {std::string("From: a@example.com\nSubject: hi\n"),
                                   std::string("From: a@example.com\nSubject: hi"),
                                   crlf("From: a@example.com\nSubject: hi\n"),
                                   std::string("From: a@example.com\nSubject: hi\n\n")}) {
      const MimeView view = parse_message(raw);
      CHECK_FALSE(view.malformed);
      CHECK(view.problems.empty());
      CHECK(view.subject == "hi");
      CHECK(rows(view.from) == std::vector<MailboxRow>{{"", "a@example.com"}});
      REQUIRE(view.text_parts.size() == 1);
      CHECK(view.text_parts[0].text.empty());
    }
  }
  SECTION("a header-only multipart is cut short") {
    const MimeView view =
        parse_message("From: a@example.com\nContent-Type: multipart/mixed; boundary=x\n");
    CHECK(view.malformed);
    CHECK(view.text_parts.empty());
  }
}

TEST_CASE("NUL bytes in headers and body do not hide what follows", "[mime][malformed]") {
  const std::string raw = with_nuls("From: a@example.com\nSubject: x\n\nbad\0word confidential\n");
  const MimeView view = parse_message(raw);
  REQUIRE(view.text_parts.size() == 1);
  CHECK(view.text_parts[0].text == "bad\uFFFDword confidential\n");
  const MimeView html = parse_message(
      with_nuls("From: a@example.com\nContent-Type: text/html\n\n<p>a\0b confidential</p>\n"));
  REQUIRE(html.text_parts.size() == 1);
  CHECK(html.text_parts[0].text == "a\uFFFDb confidential\n");
}

namespace {

std::string nested_multiparts(int levels, const std::string& innermost) {
  std::string raw = "Content-Type: multipart/mixed; boundary=b0\n\n";
  for (int i = 0; i < levels; ++i) {
    raw += "--b" + std::to_string(i) + "\nContent-Type: multipart/mixed; boundary=b" +
           std::to_string(i + 1) + "\n\n";
  }
  raw +=
      "--b" + std::to_string(levels) + "\n" + innermost + "\n--b" + std::to_string(levels) + "--\n";
  for (int i = levels - 1; i >= 0; --i)
    raw += "--b" + std::to_string(i) + "--\n";
  return raw;
}

}  // namespace

TEST_CASE("limits: too many parts stops the walk", "[mime][limits]") {
  MimeLimits limits;
  limits.max_parts = 3;
  const MimeView view = parse_message(kAttachments, limits);
  CHECK(view.limit_exceeded);
  CHECK_FALSE(view.malformed);
  CHECK(text_paths(view) == std::vector<std::string>{"1"});
  CHECK(attachment_paths(view) == std::vector<std::string>{"2", "3"});
  CHECK(view.problems == std::vector<std::string>{"more than 3 MIME parts"});

  limits.max_parts = 11;  // exactly the number of parts
  const MimeView exact = parse_message(kAttachments, limits);
  CHECK_FALSE(exact.limit_exceeded);
  CHECK(exact.attachments.size() == 10);
}

TEST_CASE("limits: too deep skips that subtree and keeps its siblings", "[mime][limits]") {
  MimeLimits limits;
  limits.max_depth = 1;
  const MimeView view = parse_message(kForward, limits);
  CHECK(view.limit_exceeded);
  CHECK(text_paths(view) == std::vector<std::string>{"1"});
  CHECK(attachment_paths(view) == std::vector<std::string>{"2", "3"});
  CHECK(view.problems == std::vector<std::string>{"MIME nesting deeper than 1"});

  limits.max_depth = 4;  // deep enough for every part of kForward
  const MimeView deep_enough = parse_message(kForward, limits);
  CHECK_FALSE(deep_enough.limit_exceeded);
  CHECK(text_paths(deep_enough) == std::vector<std::string>{"1", "2.1", "2.3.1", "3.1"});
}

TEST_CASE("limits: a deep decoy does not hide the attachment after it", "[mime][limits]") {
  const std::string raw =
      "From: a@example.com\nContent-Type: multipart/mixed; boundary=top\n\n"
      "--top\n" +
      nested_multiparts(40, "Content-Type: text/plain\n\ndeep") +
      "--top\nContent-Type: application/x-msdownload; name=run.exe\n\nMZ\n"
      "--top--\n";
  const MimeView view = parse_message(raw);
  CHECK(view.limit_exceeded);
  CHECK(view.text_parts.empty());
  REQUIRE(view.attachments.size() == 1);
  CHECK(view.attachments[0].path == "2");
  CHECK(view.attachments[0].filename == "run.exe");
  CHECK(view.problems == std::vector<std::string>{"MIME nesting deeper than 32"});

  const MimeView shallow = parse_message("From: a@example.com\n" +
                                         nested_multiparts(30, "Content-Type: text/plain\n\nok"));
  CHECK_FALSE(shallow.limit_exceeded);
  REQUIRE(shallow.text_parts.size() == 1);
  CHECK(shallow.text_parts[0].text == "ok");
}

TEST_CASE("limits: text and attachment bytes are cut, sizes stay true", "[mime][limits]") {
  MimeLimits limits;
  limits.max_text_bytes = 5;
  limits.max_attachment_bytes = 4;
  const MimeView view = parse_message(kAttachments, limits);
  CHECK(text_at(view, "1").text == "Hello");  // exactly 5 bytes: not cut
  const Attachment& pdf = attachment_at(view, "2");
  CHECK(pdf.bytes == "Hell");
  CHECK(pdf.size == 11);
  CHECK(attachment_at(view, "3").bytes == "abc");
  CHECK(attachment_at(view, "3").size == 3);
  // Bytes never inspected: a limit reached, and the part named as not fully inspected.
  CHECK(std::count(view.problems.begin(), view.problems.end(), "attachment 2 is over 4 bytes") ==
        1);
  CHECK(view.limit_exceeded);
  CHECK(std::count(view.uninspectable.begin(), view.uninspectable.end(),
                   "attachment 2 is over 4 bytes: only its start was inspected") == 1);

  limits.max_text_bytes = 3;
  limits.max_attachment_bytes = 100;
  const MimeView cut = parse_message(kAttachments, limits);
  CHECK(text_at(cut, "1").text == "Hel");
  CHECK(std::count(cut.problems.begin(), cut.problems.end(), "text part 1 is over 3 bytes") == 1);
  CHECK(std::count(cut.uninspectable.begin(), cut.uninspectable.end(),
                   "text part 1 is over 3 bytes: only its start was checked") == 1);

  const MimeView roomy = parse_message(kAttachments);
  CHECK(roomy.uninspectable.empty());
  CHECK_FALSE(roomy.limit_exceeded);
}

TEST_CASE("composed messages read back as written", "[mime][compose]") {
  Draft draft;
  draft.from = "Jo Bloggs <jo@medway.gov.uk>";
  draft.to = {"Renée <renee@example.com>", "b@example.com"};
  draft.subject = "Café € report — 100% done";
  draft.text = "Grüße\nline two\n";
  draft.html = "<p>Gr&uuml;&szlig;e</p>";
  draft.attachments = {{"résumé.pdf", "application/pdf", with_nuls("%PDF\0\xFF")}};
  const MimeView view = parse_message(compose_message(draft));
  CHECK_FALSE(view.malformed);
  CHECK(view.subject == draft.subject);
  CHECK(rows(view.from) == std::vector<MailboxRow>{{"Jo Bloggs", "jo@medway.gov.uk"}});
  CHECK(rows(view.to) ==
        std::vector<MailboxRow>{{"Renée", "renee@example.com"}, {"", "b@example.com"}});
  CHECK(text_paths(view) == std::vector<std::string>{"1.1", "1.2"});
  CHECK(text_at(view, "1.1").text == "Grüße\nline two\n");
  CHECK(text_at(view, "1.2").text == "Grüße\n");
  REQUIRE(view.attachments.size() == 1);
  CHECK(view.attachments[0].filename == "résumé.pdf");
  CHECK(view.attachments[0].bytes == with_nuls("%PDF\0\xFF"));
}

TEST_CASE("a field stuffed with encoded-word openers costs linear time", "[mime][limits]") {
  std::string stuffed;
  for (int i = 0; i < 30000; ++i)
    stuffed += "=?a?Q?x";
  const auto started = std::chrono::steady_clock::now();
  const MimeView view = parse_message("From: a@example.com\nSubject: " + stuffed +
                                      "\nContent-Type: text/plain; name=\"" + stuffed +
                                      "\"\nX-Other: =?utf-8?Q?caf=C3=A9?=\n\nbody\n");
  // Quadratic decoding took over ten seconds here; linear takes milliseconds.
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
  CHECK(view.malformed);
  CHECK(std::count(view.problems.begin(), view.problems.end(),
                   "a field with more than 1000 \"=?\" left undecoded") == 1);
  CHECK(view.subject.size() == stuffed.size());
  CHECK(view.subject.rfind("= a?Q?x= a?Q?x", 0) == 0);
  CHECK(strings(view.header_values("X-Other")) == std::vector<std::string>{"café"});
  REQUIRE(view.attachments.size() == 1);
  CHECK(view.attachments[0].bytes == "body\n");

  std::string many = "=?utf-8?Q?a?=";
  for (int i = 0; i < 999; ++i)
    many += " =?utf-8?Q?a?=";
  const MimeView fine = parse_message("From: a@example.com\nSubject: " + many + "\n\nbody\n");
  CHECK_FALSE(fine.malformed);
  CHECK(fine.subject == std::string(1000, 'a'));
}
