// Boundaries that GMime and mail clients read differently (issue 19, item 2): an attachment
// behind them is either found, or the message is uninspectable; never clean with no parts.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "mime/boundary_params.hpp"
#include "mime/mime_view.hpp"
#include "mime/structure_scan.hpp"

using namespace aup::mime;

namespace {

const std::string kExe =
    "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA4f\n";

struct Shape {
  std::string parameter;  // after "multipart/mixed; "
  std::string written;    // the boundary on the delimiter lines
  bool closed = true;
};

// A text part and setup.exe, delimited by `shape.written`.
std::string message_with(const Shape& shape, std::string_view newline = "\n") {
  const std::string lf =
      "From: jo.bloggs@medway.gov.uk\nTo: x@evil.example\nSubject: s\n"
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; " +
      shape.parameter + "\n\n--" + shape.written +
      "\nContent-Type: text/plain\n\nPlease run the attached.\n\n--" + shape.written +
      "\nContent-Type: application/octet-stream; name=\"setup.exe\"\n"
      "Content-Disposition: attachment; filename=\"setup.exe\"\n"
      "Content-Transfer-Encoding: base64\n\n" +
      kExe + (shape.closed ? "--" + shape.written + "--\n" : "");
  std::string out;
  for (const char c : lf) {
    if (c == '\n')
      out += newline;
    else
      out += c;
  }
  return out;
}

bool has_setup_exe(const MimeView& view) {
  for (const Attachment& attachment : view.attachments) {
    if (attachment.filename == "setup.exe") return true;
  }
  return false;
}

// The contract: the attachment reaches the rules, or the message is held as uninspectable.
void require_found_or_uninspectable(const std::string& raw) {
  const MimeView view = parse_message(raw);
  INFO(raw);
  CHECK((has_setup_exe(view) || !view.uninspectable.empty()));
}

}  // namespace

TEST_CASE("structure: a 0xFF in the boundary still finds setup.exe", "[mime][structure]") {
  const std::string raw =
      message_with({"boundary=\"ab\xFF"
                    "cd\"",
                    "ab\xFF"
                    "cd"});
  const MimeView view = parse_message(raw);
  CHECK(has_setup_exe(view));
  CHECK(view.uninspectable.empty());
  CHECK(has_setup_exe(parse_message(message_with({"boundary=\"ab\xFF"
                                                  "cd\"",
                                                  "ab\xFF"
                                                  "cd"},
                                                 "\r\n"))));
}

TEST_CASE("structure: other 8-bit boundaries, quoted and unquoted, are found",
          "[mime][structure]") {
  for (const std::string boundary : {"\x80\x81", "caf\xE9", "=_\xC3(bad", "a\xFF\xFE b"}) {
    INFO(boundary);
    CHECK(has_setup_exe(parse_message(message_with({"boundary=\"" + boundary + "\"", boundary}))));
  }
  CHECK(
      has_setup_exe(parse_message(message_with({"boundary=ab\xFF"
                                                "cd",
                                                "ab\xFF"
                                                "cd"}))));
}

TEST_CASE("structure: encoded, duplicated and odd boundaries: found or uninspectable",
          "[mime][structure]") {
  const Shape shapes[] = {
      {"boundary*=utf-8''ab%FFcd",
       "ab\xFF"
       "cd"},
      {"boundary*=utf-8''ab%FFcd", "ab%FFcd"},
      {"boundary*0=\"ab\xFF\"; boundary*1=\"cd\"",
       "ab\xFF"
       "cd"},
      {"boundary=\"=?utf-8?q?abcd?=\"", "=?utf-8?q?abcd?="},
      {"boundary=\"=?utf-8?q?abcd?=\"", "abcd"},
      {"boundary=\"one\"; boundary=\"two\"", "one"},
      {"boundary=\"one\"; boundary=\"two\"", "two"},
      {"boundary=\"a b \\\"c\\\"\"", "a b \"c\""},
      {"boundary=\"ab\xFF"
       "cd\"",
       "ab\xFF"
       "cd",
       false},
      {"boundary=\"plain\"", "plain", false},
  };
  for (const Shape& shape : shapes) {
    require_found_or_uninspectable(message_with(shape));
    require_found_or_uninspectable(message_with(shape, "\r\n"));
  }
}

TEST_CASE("structure: nested and attached multiparts with 8-bit boundaries", "[mime][structure]") {
  const std::string inner = message_with({"boundary=\"in\xFF\"", "in\xFF"});
  const std::string body = inner.substr(inner.find("Content-Type: multipart"));
  const std::string nested =
      "From: a@medway.gov.uk\nMIME-Version: 1.0\nContent-Type: multipart/mixed; "
      "boundary=\"out\xFE\"\n\n--out\xFE\nContent-Type: text/plain\n\nhello\n--out\xFE\n" +
      body + "--out\xFE--\n";
  require_found_or_uninspectable(nested);
  CHECK(has_setup_exe(parse_message(nested)));
  const std::string attached =
      "From: a@medway.gov.uk\nMIME-Version: 1.0\nContent-Type: multipart/mixed; "
      "boundary=\"out\"\n\n--out\nContent-Type: message/rfc822\n\n" +
      inner + "--out--\n";
  require_found_or_uninspectable(attached);
  CHECK(has_setup_exe(parse_message(attached)));
}

TEST_CASE("structure: delimiters that match no declared boundary make it uninspectable",
          "[mime][structure]") {
  // "--x" lines followed by part headers: a reader that guesses shows setup.exe.
  const std::string wrong = message_with({"boundary=\"declared\"", "written"});
  const MimeView view = parse_message(wrong);
  CHECK_FALSE(has_setup_exe(view));
  REQUIRE_FALSE(view.uninspectable.empty());
  CHECK(view.uninspectable.front().find("delimiters") != std::string::npos);
  // Without any boundary, the same body.
  std::string none = wrong;
  none.replace(none.find("boundary=\"declared\""), 19, "charset=us-ascii");
  CHECK_FALSE(parse_message(none).uninspectable.empty());
}

TEST_CASE("structure: ordinary and merely odd messages stay inspectable", "[mime][structure]") {
  CHECK(parse_message(message_with({"boundary=\"plain\"", "plain"})).uninspectable.empty());
  CHECK(parse_message(message_with({"boundary=plain", "plain"}, "\r\n")).uninspectable.empty());
  // A multipart without a boundary whose body is just text: malformed, nothing hidden.
  const MimeView text = parse_message(
      "From: a@medway.gov.uk\nContent-Type: multipart/mixed\n\nJust text.\n-- \nTom\n");
  CHECK(text.malformed);
  CHECK(text.uninspectable.empty());
  // A forwarded raw message quoted in a text part is text, not parts.
  const std::string quoted = "From: a@medway.gov.uk\nContent-Type: text/plain\n\n" +
                             message_with({"boundary=\"q\xFF\"", "other"});
  CHECK(parse_message(quoted).uninspectable.empty());
}

TEST_CASE("structure scan: counts parts as a lenient client splits them", "[mime][structure]") {
  CHECK(scan_structure(message_with({"boundary=\"ab\xFF"
                                     "cd\"",
                                     "ab\xFF"
                                     "cd"}),
                       32)
            .parts == 2);
  CHECK(scan_structure(message_with({"boundary=\"b\"", "b"}, "\r\n"), 32).parts == 2);
  const StructureScan open = scan_structure(message_with({"boundary=\"b\"", "b", false}), 32);
  CHECK(open.parts == 2);
  CHECK(open.unterminated == 1);
  CHECK(scan_structure(message_with({"boundary=\"b\"", "c"}), 32).guessed == 1);
}

TEST_CASE("boundary parameters: read as written", "[mime][structure]") {
  using V = std::vector<std::string>;
  CHECK(raw_boundaries(" multipart/mixed; boundary=\"a\xFF b\"") == V{"a\xFF b"});
  CHECK(raw_boundaries("multipart/mixed;boundary=tok;charset=x") == V{"tok"});
  CHECK(raw_boundaries("multipart/mixed; boundary*=utf-8'en'a%FFb") == V{"a\xFF"
                                                                         "b"});
  CHECK(raw_boundaries("multipart/mixed; boundary*0=\"ab\"; boundary*1*=%41") == V{"abA"});
  CHECK(raw_boundaries("multipart/mixed; boundary=a; boundary=b; boundary=a") == V{"a", "b"});
  CHECK(raw_boundaries("multipart/mixed; x=\";boundary=no\"").empty());
  CHECK(raw_media_type(" Multipart/Mixed ; boundary=x") == "multipart/mixed");
}
