// The engine: direction, rule scopes, combining matches into a verdict, replies and headers.
#include <catch2/catch.hpp>

#include <algorithm>

#include "engine/evaluate.hpp"
#include "engine/rfc3339.hpp"
#include "engine_services.hpp"
#include "test_helpers.hpp"

using namespace aup;
using aup::test::evaluate;

namespace {

using test::load;

std::string rule(const std::string& id, const std::string& scope, const std::string& pattern,
                 const std::string& action, const std::string& extra = "") {
  return R"({"id": ")" + id + R"(", "description": "Rule )" + id +
         R"(", "policy_ref": "4.7.1", "scope": )" + scope + R"(, "pattern": ")" + pattern +
         R"(", "action": ")" + action + "\"" + extra + "}";
}

Message staff_mail(const std::string& raw, std::vector<std::string> rcpts = {"x@example.org"}) {
  Message message;
  message.raw = raw;
  message.envelope.sender = "jo@medway.gov.uk";
  message.envelope.recipients = std::move(rcpts);
  message.envelope.auth_user = "jo";
  return message;
}

std::vector<std::string> rule_ids(const Verdict& verdict) {
  std::vector<std::string> ids;
  for (const Match& match : verdict.matches)
    ids.push_back(match.rule);
  return ids;
}

const std::string kMail =
    "From: Jo <jo@medway.gov.uk>\r\nTo: x@example.org\r\nCc: y@medway.gov.uk\r\n"
    "Subject: Quarterly figures\r\nX-Mailer: Outlook\r\n\r\nPlease find the figures attached.\r\n";

}  // namespace

TEST_CASE("direction: originating by login, network or sender - outbound or internal",
          "[direction]") {
  test::TempDir dir;
  const auto policy = load(dir, "[]");
  struct Case {
    std::optional<std::string> sender, auth, ip;
    std::vector<std::string> rcpts;
    Direction expected;
  };
  const std::vector<Case> cases = {
      {"jo@medway.gov.uk", std::nullopt, std::nullopt, {"a@example.org"}, Direction::outbound},
      {"jo@medway.gov.uk", std::nullopt, std::nullopt, {"a@medway.gov.uk"}, Direction::internal},
      {"jo@medway.gov.uk",
       std::nullopt,
       std::nullopt,
       {"a@schools.medway.gov.uk"},
       Direction::internal},
      {"jo@medway.gov.uk",
       std::nullopt,
       std::nullopt,
       {"a@medway.gov.uk", "b@example.org"},
       Direction::outbound},
      {"spam@example.com", std::nullopt, std::nullopt, {"a@medway.gov.uk"}, Direction::inbound},
      {"spam@example.com", "jo", std::nullopt, {"a@example.org"}, Direction::outbound},
      {"x@example.com", std::nullopt, "10.2.3.4", {"a@example.org"}, Direction::outbound},
      {"x@example.com", std::nullopt, "::1", {"a@medway.gov.uk"}, Direction::internal},
      // A known external client without login is inbound even with an internal sender:
      // that is exactly how forged mail arrives.
      {"jo@medway.gov.uk", std::nullopt, "203.0.113.9", {"a@example.org"}, Direction::inbound},
  };
  Message submitted;
  submitted.raw = "Subject: hi\r\n\r\nbody\r\n";
  submitted.envelope.sender = "x@example.com";
  submitted.envelope.client_ip = "203.0.113.9";
  submitted.envelope.recipients = {"a@example.org"};
  CHECK(evaluate(*policy, submitted).direction == Direction::inbound);
  submitted.envelope.daemon_name = "ORIGINATING";  // Postfix submission service
  CHECK(evaluate(*policy, submitted).direction == Direction::outbound);
  for (const Case& c : cases) {
    Message message;
    message.raw = "Subject: hi\r\n\r\nbody\r\n";
    message.envelope.sender = c.sender;
    message.envelope.auth_user = c.auth;
    message.envelope.client_ip = c.ip;
    message.envelope.recipients = c.rcpts;
    INFO(c.sender.value_or("") << " auth=" << c.auth.value_or("-") << " ip=" << c.ip.value_or("-"));
    CHECK(evaluate(*policy, message).direction == c.expected);
  }
}

TEST_CASE("without an envelope, sender and recipients come from the headers", "[direction]") {
  test::TempDir dir;
  const auto policy = load(dir, "[" + rule("r", "\"envelope.rcpt\"", "y@medway", "tag") + "]");
  Message message;
  message.raw = kMail;
  const Verdict verdict = evaluate(*policy, message);
  CHECK(verdict.direction == Direction::outbound);
  CHECK(rule_ids(verdict) == std::vector<std::string>{"r"});
}

TEST_CASE("inbound mail passes untouched, whatever the rules say", "[evaluate]") {
  test::TempDir dir;
  const auto policy = load(dir, "[" + rule("r", "\"body\"", "figures", "reject") + "]");
  Message message;
  message.raw = kMail;
  message.envelope.sender = "someone@example.org";
  message.envelope.recipients = {"jo@medway.gov.uk"};
  const Verdict verdict = evaluate(*policy, message);
  CHECK(verdict.action == Action::accept);
  CHECK(verdict.direction == Direction::inbound);
  CHECK(verdict.matches.empty());
  CHECK_FALSE(verdict.reply);
}

TEST_CASE("each scope looks where it says", "[evaluate]") {
  test::TempDir dir;
  const auto policy =
      load(dir, "[" + rule("subject", "\"subject\"", "Quarterly", "tag") + "," +
                    rule("header", "\"header:x-mailer\"", "^Outlook$", "tag") + "," +
                    rule("body", "\"body\"", "figures attached", "tag") + "," +
                    rule("sender", "\"envelope.sender\"", "^jo@", "tag") + "," +
                    rule("rcpt", "\"envelope.rcpt\"", "^x@example", "tag") + "," +
                    rule("from", "\"from\"", "^Jo <", "tag") + "," +
                    rule("miss", "[\"subject\", \"body\"]", "X-Mailer", "tag") + "]");
  const Verdict verdict = evaluate(*policy, staff_mail(kMail));
  CHECK(rule_ids(verdict) ==
        std::vector<std::string>{"subject", "header", "body", "sender", "rcpt", "from"});
  CHECK(verdict.matches[2].detail == "\"figures attached\" in part 1");
}

TEST_CASE("the strongest enforce action wins - monitor and accept never enforce", "[evaluate]") {
  test::TempDir dir;
  const auto policy =
      load(dir, "[" + rule("tagger", "\"body\"", "figures", "tag") + "," +
                    rule("quarantiner", "\"subject\"", "Quarterly", "quarantine") + "," +
                    rule("watcher", "\"body\"", "Please", "reject", R"(, "mode": "monitor")") +
                    "," + rule("allower", "\"body\"", "attached", "accept") + "]");
  const Verdict verdict = evaluate(*policy, staff_mail(kMail));
  CHECK(verdict.action == Action::quarantine);
  CHECK(verdict.matches.size() == 4);
  CHECK_FALSE(verdict.reply);
  const auto watcher = std::find_if(verdict.matches.begin(), verdict.matches.end(),
                                    [](const Match& m) { return m.rule == "watcher"; });
  REQUIRE(watcher != verdict.matches.end());
  CHECK(watcher->mode == Mode::monitor);
  CHECK(watcher->action == Action::reject);
  REQUIRE(verdict.add_headers.size() == 3);
  CHECK(verdict.add_headers[0].name == "X-AUP-Verdict");
  CHECK(verdict.add_headers[0].value == "quarantine");
  CHECK(verdict.add_headers[1].value == "tagger, quarantiner");
  CHECK(verdict.add_headers[2].value == "4.7.1");
}

TEST_CASE("monitor-only matches leave the message accepted", "[evaluate]") {
  test::TempDir dir;
  const auto policy = load(
      dir, "[" + rule("watcher", "\"body\"", "figures", "reject", R"(, "mode": "monitor")") + "]");
  const Verdict verdict = evaluate(*policy, staff_mail(kMail));
  CHECK(verdict.action == Action::accept);
  CHECK(verdict.matches.size() == 1);
  CHECK(verdict.add_headers.empty());
}

TEST_CASE("a reject reply names the clause, fills placeholders and adds the suffix", "[evaluate]") {
  test::TempDir dir;
  const auto policy =
      load(dir,
           "[" +
               rule("custom", "\"body\"", "figures", "reject",
                    R"(, "reply": "Not allowed under {policy_ref} ({rule}); 100% sure")") +
               "," + rule("plain", "\"subject\"", "Quarterly", "reject") + "]",
           R"("reply_suffix": "Ask ICT.", )");
  const Verdict verdict = evaluate(*policy, staff_mail(kMail));
  REQUIRE(verdict.reply);
  CHECK(verdict.reply->code == "550");
  CHECK(verdict.reply->xcode == "5.7.1");
  CHECK(verdict.reply->text == "Not allowed under 4.7.1 (custom); 100% sure Ask ICT.");

  test::TempDir other;
  const auto plain = load(other, "[" + rule("plain", "\"subject\"", "Quarterly", "reject") + "]");
  const Verdict second = evaluate(*plain, staff_mail(kMail));
  REQUIRE(second.reply);
  CHECK(second.reply->text ==
        "Message refused under clause 4.7.1 of the acceptable-use policy: Rule plain");
}

TEST_CASE("a custom reply that forgets the clause gets it prefixed", "[evaluate]") {
  test::TempDir dir;
  const auto policy = load(
      dir,
      "[" + rule("r", "\"body\"", "figures", "reject", R"(, "reply": "Do not do that.")") + "]");
  const Verdict verdict = evaluate(*policy, staff_mail(kMail));
  REQUIRE(verdict.reply);
  CHECK(verdict.reply->text == "Policy clause 4.7.1: Do not do that.");
}

TEST_CASE("applies_to restricts a rule to outbound or internal mail", "[evaluate]") {
  test::TempDir dir;
  const auto policy = load(
      dir, "[" + rule("out", "\"body\"", "figures", "tag", R"(, "applies_to": "outbound")") + "," +
               rule("in", "\"body\"", "figures", "tag", R"(, "applies_to": "internal")") + "]");
  CHECK(rule_ids(evaluate(*policy, staff_mail(kMail))) == std::vector<std::string>{"out"});
  CHECK(rule_ids(evaluate(*policy, staff_mail(kMail, {"a@medway.gov.uk"}))) ==
        std::vector<std::string>{"in"});
}

TEST_CASE("a catastrophic pattern is stopped by PCRE2 limits and gives the limit action",
          "[evaluate]") {
  test::TempDir dir;
  // The prefilter cannot rule this text out (\\w loosens to any character), so PCRE2 runs.
  const auto policy = load(dir, "[" + rule("evil", "\"body\"", R"(^(\\w+)+$)", "tag") + "]",
                           R"("limits": {"regex_match_limit": 10000}, )");
  const Verdict verdict =
      evaluate(*policy, staff_mail("Subject: x\r\n\r\n" + std::string(40, 'a') + "!\r\n"));
  REQUIRE(verdict.matches.size() == 1);
  CHECK(verdict.matches[0].action == Action::quarantine);
  CHECK(verdict.matches[0].detail.find("pattern could not be evaluated") != std::string::npos);
  CHECK(verdict.action == Action::quarantine);
}

TEST_CASE("a pattern the prefilter proves cannot match is not run, so it cannot exhaust PCRE2",
          "[evaluate][prefilter]") {
  test::TempDir dir;
  const auto policy = load(dir, "[" + rule("evil", "\"body\"", "^(a+)+$", "tag") + "]",
                           R"("limits": {"regex_match_limit": 10000}, )");
  const Message mail = staff_mail("Subject: x\r\n\r\n" + std::string(40, 'a') + "!\r\n");
  CHECK(evaluate(*policy, mail).matches.empty());
  const Verdict without = evaluate(*without_prefilter(*policy), mail);
  REQUIRE(without.matches.size() == 1);
  CHECK(without.matches[0].detail.find("pattern could not be evaluated") != std::string::npos);
}

TEST_CASE("built-in checks fire on their conditions", "[checks]") {
  test::TempDir dir;
  const auto policy = load(dir, R"([
    {"id": "allstaff", "description": "d", "policy_ref": "4.4", "check": "restricted_recipient",
     "params": {"addresses": ["AllStaff@medway.gov.uk"],
                "allowed_senders": ["ict@medway.gov.uk"]}, "action": "reject"},
    {"id": "external", "description": "d", "policy_ref": "3.4", "check": "recipient_count",
     "params": {"count": "external", "more_than": 2}, "action": "quarantine"},
    {"id": "internal", "description": "d", "policy_ref": "4.4", "check": "recipient_count",
     "params": {"count": "internal", "more_than": 1}, "action": "tag"},
    {"id": "cc", "description": "d", "policy_ref": "4.6.1", "check": "recipient_count",
     "params": {"count": "cc", "more_than": 0}, "action": "tag"},
    {"id": "empty", "description": "d", "policy_ref": "4.6.1", "check": "empty_subject",
     "action": "tag"}
  ])");
  Message message = staff_mail("Subject:  \r\nCc: a@example.org\r\n\r\nhello\r\n",
                               {"allstaff@medway.gov.uk", "b@medway.gov.uk", "1@example.org",
                                "2@example.org", "3@example.org"});
  Verdict verdict = evaluate(*policy, message);
  CHECK(rule_ids(verdict) ==
        std::vector<std::string>{"allstaff", "external", "internal", "cc", "empty"});
  CHECK(verdict.action == Action::reject);
  CHECK(verdict.matches[0].detail == "jo@medway.gov.uk may not send to allstaff@medway.gov.uk");
  CHECK(verdict.matches[1].detail == "3 external recipients (limit 2)");

  message.envelope.recipients = {"allstaff+urgent@medway.gov.uk"};
  CHECK(rule_ids(evaluate(*policy, message)) ==
        std::vector<std::string>{"allstaff", "cc", "empty"});

  message.envelope.sender = "ICT@medway.gov.uk";
  message.envelope.recipients = {"allstaff@medway.gov.uk", "1@example.org"};
  message.raw = "Subject: Notice\r\n\r\nhello\r\n";
  CHECK(evaluate(*policy, message).matches.empty());
}

TEST_CASE("malformed messages still get a verdict", "[evaluate]") {
  test::TempDir dir;
  const auto policy = load(dir, "[" + rule("word", "\"body\"", "secret", "quarantine") + "]");
  for (const std::string& raw :
       {std::string(), std::string("\0\0\0secret", 9), std::string("no headers at all secret"),
        std::string("Content-Type: multipart/mixed\r\n\r\nsecret without boundary\r\n"),
        std::string("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: "
                    "text/plain\r\n\r\nsecret truncated")}) {
    const Verdict verdict = evaluate(*policy, staff_mail(raw));
    INFO(raw);
    CHECK(verdict.direction == Direction::outbound);
    if (raw.find("secret") != std::string::npos) CHECK(verdict.action == Action::quarantine);
  }
}

TEST_CASE("verdict JSON follows the aupctl check contract", "[evaluate]") {
  test::TempDir dir;
  const auto policy = load(dir, "[" + rule("r", "\"body\"", "figures", "reject") + "]");
  const auto json = to_json(evaluate(*policy, staff_mail(kMail)));
  CHECK(json["action"] == "reject");
  CHECK(json["direction"] == "outbound");
  CHECK(json["matches"][0]["rule"] == "r");
  CHECK(json["matches"][0]["policy_ref"] == "4.7.1");
  CHECK(json["matches"][0]["action"] == "reject");
  CHECK(json["matches"][0]["mode"] == "enforce");
  CHECK(json["matches"][0]["scope"] == "body");
  CHECK(json["reply"]["code"] == "550");
  CHECK(json["reply"]["xcode"] == "5.7.1");
  CHECK(json["add_headers"].is_array());
}

TEST_CASE("a second Subject field cannot hide a marking", "[evaluate]") {
  test::TempDir dir;
  const auto policy =
      load(dir, "[" + rule("marking", "\"subject\"", "SENSITIVE", "quarantine") + "]");
  const Verdict verdict = evaluate(
      *policy,
      staff_mail("Subject: OFFICIAL-SENSITIVE pay review\r\nSubject: Lunch\r\n\r\nhi\r\n"));
  CHECK(verdict.action == Action::quarantine);
}

namespace {

// An HTML page long enough to outlast a 1 ms evaluation budget.
Message long_html_mail() {
  std::string body;
  for (int i = 0; i < 40000; ++i)
    body += "<p>line " + std::to_string(i) + " of a long page</p>\n";
  return staff_mail("Subject: x\r\nContent-Type: text/html\r\n\r\n" + body);
}

}  // namespace

TEST_CASE("a message that outlives its time budget gets the limit action", "[evaluate]") {
  test::TempDir dir;
  const auto policy = load(dir, "[" + rule("word", "\"body\"", "never-present", "tag") + "]",
                           R"("limits": {"evaluation_budget_ms": 1}, )");
  const Verdict verdict = evaluate(*policy, long_html_mail());
  REQUIRE(verdict.matches.size() == 1);
  CHECK(verdict.matches[0].rule == "evaluation-budget");
  CHECK(verdict.matches[0].policy_ref == "3.7");
  CHECK(verdict.action == Action::quarantine);

  test::TempDir roomy;
  const auto generous = load(roomy, "[" + rule("word", "\"body\"", "never-present", "tag") + "]");
  CHECK(evaluate(*generous, staff_mail("Subject: x\r\n\r\nshort\r\n")).matches.empty());
}

TEST_CASE("a rejecting budget match has no rule behind it and still gets its reply", "[evaluate]") {
  // The loader allows no reject for on_regex_limit; a policy made in code can, and the
  // engine's own match must then be answered from its clause, not looked up as a rule.
  test::TempDir dir;
  const auto loaded = load(dir, "[" + rule("word", "\"body\"", "never-present", "tag") + "]",
                           R"("limits": {"evaluation_budget_ms": 1}, )");
  auto policy = std::make_shared<Policy>(*loaded);
  policy->settings.on_regex_limit = Action::reject;
  const Verdict verdict = evaluate(*policy, long_html_mail());
  REQUIRE(verdict.matches.size() == 1);
  CHECK(verdict.matches[0].rule == "evaluation-budget");
  CHECK(verdict.action == Action::reject);
  REQUIRE(verdict.reply);
  CHECK(verdict.reply->code == "550");
  CHECK_THAT(verdict.reply->text, Catch::Contains("clause 3.7") && Catch::Contains("evaluation"));
}
