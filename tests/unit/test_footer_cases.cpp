// Footer cases from review: encodings it must not rewrite, ambiguous parts, line ends, charsets
// of 8-bit text, where the footer goes in interleaved text, and when it counts as present.
#include <catch2/catch.hpp>

#include "engine/footer_step.hpp"
#include "mime/footer.hpp"
#include "mime/mime_view.hpp"

using namespace aup::mime;

namespace {

const std::string kHead =
    "From: Jo <jo@medway.gov.uk>\r\nTo: x@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\n";

FooterText footer(const std::string& text = "Medway Council e-mail disclaimer:\nline two") {
  aup::FooterSettings settings;
  settings.text = text;
  return {text, aup::footer_html(settings), "Medway Council e-mail disclaimer:"};
}

// A bare LF or CR anywhere: the milter hands CRLF data to the MTA.
bool has_bare_line_end(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return true;
    if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) return true;
  }
  return false;
}

std::string mixed(const std::string& first_part, const std::string& second_part = "") {
  std::string out =
      kHead + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n" + first_part + "\r\n";
  if (!second_part.empty()) out += "--b\r\n" + second_part + "\r\n";
  return out + "--b--\r\n";
}

}  // namespace

TEST_CASE("encodings it cannot write back, and doubled fields, are left alone", "[footer]") {
  const std::string uu = kHead +
                         "Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n"
                         "begin 644 x\r\n+:&5L;&\\@=V]R;&0*\r\n`\r\nend\r\n";
  CHECK(add_footer(uu, footer()).outcome == FooterOutcome::unparsable);
  const std::string doubled = kHead +
                              "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n"
                              "Content-Transfer-Encoding: 7bit\r\n\r\nSGVsbG8gdGhlcmU=\r\n";
  CHECK(add_footer(doubled, footer()).outcome == FooterOutcome::unparsable);
}

TEST_CASE("a multi-line HTML footer and a refolded Content-Type keep CRLF", "[footer]") {
  const std::string html =
      mixed("Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Hi</p></body></html>");
  const FooterEdit edit = add_footer(html, footer());
  REQUIRE(edit.outcome == FooterOutcome::added);
  CHECK_FALSE(has_bare_line_end(edit.body));
  const std::string folded = mixed(
      "Content-Type: text/plain; charset=\"us-ascii\"; format=flowed; delsp=yes;\r\n"
      " reply-type=original; x-long-parameter-name=\"a value long enough to be folded\"\r\n"
      "\r\nHello.",
      "Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "JVBERi0=");
  const FooterEdit relabelled =
      add_footer(folded, footer("Medway Council e-mail disclaimer: \xC2\xA9"));
  REQUIRE(relabelled.outcome == FooterOutcome::added);
  CHECK_FALSE(has_bare_line_end(relabelled.body));
  CHECK(relabelled.body.find("charset=utf-8") != std::string::npos);
  CHECK(relabelled.body.find("JVBERi0=") != std::string::npos);
}

TEST_CASE("8-bit text of unknown charset is not relabelled UTF-8", "[footer]") {
  const std::string latin = kHead +
                            "Content-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n"
                            "\r\nCaf\xE9\r\n";
  CHECK(add_footer(latin, footer("Medway Council e-mail disclaimer: \xC2\xA9")).outcome ==
        FooterOutcome::not_representable);
  CHECK(add_footer(latin, footer()).outcome == FooterOutcome::added);  // ASCII fits anywhere
}

TEST_CASE("a long one-line HTML body does not grow past 998 octets", "[footer]") {
  const std::string body = "<html><body>" + std::string(900, 'x') + "</body></html>";
  const FooterEdit edit =
      add_footer(kHead + "Content-Type: text/html\r\n\r\n" + body + "\r\n", footer());
  REQUIRE(edit.outcome == FooterOutcome::added);
  size_t longest = 0, start = 0;
  for (size_t at = edit.body.find("\r\n"); at != std::string::npos;
       start = at + 2, at = edit.body.find("\r\n", start)) {
    longest = std::max(longest, at - start);
  }
  CHECK(longest <= 998);
}

TEST_CASE("the footer is present only when the text ends with it", "[footer]") {
  const auto plain = [](const std::string& text) {
    return kHead + "Content-Type: text/plain\r\n\r\n" + text;
  };
  // A reply quoting an earlier footer, or mentioning it, still gets its own.
  CHECK(add_footer(plain("Thanks.\r\n\r\n> Medway Council e-mail disclaimer:\r\n> line two\r\n"
                         "> more of the quote\r\n"),
                   footer())
            .outcome == FooterOutcome::added);
  CHECK(add_footer(plain("What does \"Medway Council e-mail disclaimer:\" mean?\r\n" +
                         std::string(600, '.') + "\r\n"),
                   footer())
            .outcome == FooterOutcome::added);
  // A message that already ends with it is left alone, in plain text and in HTML.
  CHECK(add_footer(plain("Hi.\r\n\r\nMedway Council e-mail disclaimer:\r\nline two\r\n"), footer())
            .outcome == FooterOutcome::already_present);
  const FooterText amp = footer("Medway Council & Partners e-mail disclaimer:");
  const FooterText with_amp{amp.plain, amp.html, "Medway Council & Partners e-mail disclaimer:"};
  const std::string html =
      kHead + "Content-Type: text/html\r\n\r\n<html><body><p>Hi</p></body></html>\r\n";
  const FooterEdit first = add_footer(html, with_amp);
  REQUIRE(first.outcome == FooterOutcome::added);
  const std::string once = kHead + "Content-Type: text/html\r\n\r\n" + first.body;
  CHECK(add_footer(once, with_amp).outcome == FooterOutcome::already_present);
}

TEST_CASE("interleaved text and inline images: the footer goes after the last text", "[footer]") {
  const std::string raw =
      kHead +
      "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
      "--m\r\nContent-Type: text/html\r\n\r\n<html><body>first</body></html>\r\n"
      "--m\r\nContent-Type: image/png; name=a.png\r\nContent-Disposition: inline; "
      "filename=a.png\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
      "--m\r\nContent-Type: text/html\r\n\r\n<html><body>second</body></html>\r\n"
      "--m\r\nContent-Type: application/pdf; name=b.pdf\r\n"
      "Content-Disposition: attachment; filename=b.pdf\r\n\r\n%PDF\r\n--m--\r\n";
  const FooterEdit edit = add_footer(raw, footer());
  REQUIRE(edit.outcome == FooterOutcome::added);
  CHECK(edit.parts == std::vector<std::string>{"3"});
  CHECK(edit.body.find("first</body>") != std::string::npos);
}

TEST_CASE("detached signatures and ARC seals mean hands off", "[footer]") {
  CHECK(add_footer(mixed("Content-Type: text/plain\r\n\r\nSigned.",
                         "Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
                         "Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHAqCAMIA="),
                   footer())
            .outcome == FooterOutcome::signed_or_encrypted);
  const std::string arc = "ARC-Message-Signature: i=1; a=rsa-sha256; d=medway.gov.uk\r\n" + kHead +
                          "Content-Type: text/plain\r\n\r\nHello.\r\n";
  CHECK(add_footer(arc, footer()).outcome == FooterOutcome::dkim_signed);
}
