// When the engine adds the corporate footer: outbound mail that is accepted or tagged only, and
// what it reports and tags when it may not change the message.
#include <catch2/catch.hpp>

#include "engine/evaluate.hpp"
#include "engine/footer_step.hpp"
#include "engine_services.hpp"
#include "test_helpers.hpp"

using namespace aup;
using aup::test::evaluate;

namespace {

const std::string kFooterSettings = R"("footer": {"enabled": true, "when_signed": "tag",
    "text": "Medway Council e-mail disclaimer: line one\nline two & <more>"}, )";

std::shared_ptr<const Policy> load_with_footer(const test::TempDir& dir, const std::string& rules,
                                               const std::string& settings = kFooterSettings) {
  return test::load(dir, rules, settings);
}

Message mail(const std::string& body, const std::string& to, const std::string& extra = "") {
  Message message;
  message.raw = "From: jo@medway.gov.uk\r\nTo: " + to + "\r\nSubject: Figures\r\n" + extra +
                "Content-Type: text/plain\r\n\r\n" + body;
  message.envelope.sender = "jo@medway.gov.uk";
  message.envelope.recipients = {to};
  message.envelope.auth_user = "jo";
  return message;
}

const std::string kRejectSecret =
    R"([{"id": "secret", "description": "d", "policy_ref": "4.5", "scope": "body",
        "pattern": "SECRET", "action": "reject"},
       {"id": "luck", "description": "d", "policy_ref": "4.7.1", "scope": "body",
        "pattern": "good luck", "action": "quarantine"},
       {"id": "note", "description": "d", "policy_ref": "4.6.1", "scope": "body",
        "pattern": "tag me", "action": "tag"}])";

}  // namespace

TEST_CASE("the footer goes on accepted and tagged outbound mail only", "[footer_step]") {
  test::TempDir dir;
  const auto policy = load_with_footer(dir, kRejectSecret);
  const Verdict accepted = evaluate(*policy, mail("Hello.\r\n", "x@example.org"));
  REQUIRE(accepted.footer);
  CHECK(accepted.footer->outcome == "added");
  REQUIRE(accepted.body_edit);
  CHECK(accepted.body_edit->body ==
        "Hello.\r\n\r\nMedway Council e-mail disclaimer: line one\r\n"
        "line two & <more>\r\n");
  const Verdict tagged = evaluate(*policy, mail("Please tag me.\r\n", "x@example.org"));
  CHECK(tagged.action == Action::tag);
  CHECK(tagged.body_edit);
  for (const char* body : {"SECRET plans\r\n", "good luck\r\n"}) {
    const Verdict refused = evaluate(*policy, mail(body, "x@example.org"));
    CHECK(refused.action != Action::accept);
    CHECK_FALSE(refused.footer);
    CHECK_FALSE(refused.body_edit);
  }
  // Internal mail and inbound mail are not outbound: no footer.
  CHECK_FALSE(evaluate(*policy, mail("Hi.\r\n", "kim@medway.gov.uk")).footer);
  Message inbound = mail("Hi.\r\n", "jo@medway.gov.uk");
  inbound.envelope.sender = "someone@example.net";
  inbound.envelope.auth_user.reset();
  inbound.envelope.client_ip = "203.0.113.5";
  CHECK_FALSE(evaluate(*policy, inbound).footer);
}

TEST_CASE("mail that cannot be changed is left alone, and tagged when configured",
          "[footer_step]") {
  test::TempDir dir;
  const auto policy = load_with_footer(dir, kRejectSecret);
  const Verdict dkim = evaluate(
      *policy, mail("Hello.\r\n", "x@example.org", "DKIM-Signature: v=1; d=medway.gov.uk\r\n"));
  REQUIRE(dkim.footer);
  CHECK(dkim.footer->outcome == "DKIM-signed");
  CHECK_FALSE(dkim.body_edit);
  REQUIRE(dkim.add_headers.size() == 1);
  CHECK(dkim.add_headers[0].name == "X-AUP-Footer");
  CHECK(dkim.add_headers[0].value == "omitted; DKIM-signed");

  test::TempDir leave_dir;
  const auto leaving = load_with_footer(leave_dir, kRejectSecret,
                                        R"("footer": {"enabled": true, "text": "Footer"}, )");
  const Verdict left = evaluate(
      *leaving, mail("Hello.\r\n", "x@example.org", "DKIM-Signature: v=1; d=medway.gov.uk\r\n"));
  CHECK(left.add_headers.empty());
}

TEST_CASE("the default HTML is the text, escaped, with non-ASCII as references", "[footer_step]") {
  FooterSettings footer;
  footer.text = "Caf\xC3\xA9 <b>\n\xC2\xA9 2026";
  CHECK(footer_html(footer) ==
        "<p class=\"aup-footer\" style=\"font-size:smaller;color:#555555\">Caf&#233; "
        "&lt;b&gt;<br>\n&#169; 2026</p>");
  footer.html = "<div>\xE2\x80\x94</div>";
  CHECK(footer_html(footer) == "<div>&#8212;</div>");
}

TEST_CASE("an enabled footer needs text - when_signed is leave or tag", "[footer_step]") {
  test::TempDir dir;
  const auto result = load_policy(test::write_policy(
      dir, "[]", R"("footer": {"enabled": true, "when_signed": "sometimes"}, )"));
  CHECK_FALSE(result.policy);
  std::string all;
  for (const auto& d : result.diagnostics)
    all += format_diagnostic(d) + "\n";
  CHECK_THAT(all, Catch::Contains("/footer/text"));
  CHECK_THAT(all, Catch::Contains("/footer/when_signed"));
}
