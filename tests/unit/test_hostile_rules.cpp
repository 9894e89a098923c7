// Hostile rules (issue: hardening): a pattern that backtracks catastrophically meets a message
// made for it. PCRE2's limits bound each match attempt and the per-message matching budget
// bounds them all; what could not be matched gives the configured limit action, naming the
// rule, and `aupctl rules lint` warns about patterns that hit the limit on their own examples.
#include <catch2/catch.hpp>

#include "engine/evaluate.hpp"
#include "engine/rule_examples.hpp"
#include "engine_services.hpp"
#include "test_helpers.hpp"

using namespace aup;
using aup::test::evaluate;

namespace {

using test::load;

// \\w loosens to any character for the prefilter, so PCRE2 runs on any text.
std::string evil_rule(const std::string& id, const std::string& extra = "") {
  return R"({"id": ")" + id + R"(", "description": "d", "policy_ref": "4.7.1", "scope": "body",
             "pattern": "^(\\w+\\s?)+$", "action": "tag")" +
         extra + "}";
}

Message staff_mail(const std::string& body) {
  Message message;
  message.raw = "From: jo@medway.gov.uk\r\nSubject: hello\r\n\r\n" + body + "\r\n";
  message.envelope.sender = "jo@medway.gov.uk";
  message.envelope.recipients = {"x@example.org"};
  message.envelope.auth_user = "jo";
  return message;
}

const std::string kHostileBody = std::string(60, 'a') + "!";

const Match* match_for(const Verdict& verdict, const std::string& rule) {
  for (const Match& match : verdict.matches) {
    if (match.rule == rule) return &match;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the matching budget stops the patterns after it is spent, naming each rule",
          "[hostile][evaluate]") {
  test::TempDir dir;
  // A match limit high enough that the first rule alone outlasts a 1 ms budget.
  const auto policy = load(
      dir, "[" + evil_rule("first") + "," + evil_rule("second") + "," + evil_rule("third") + "]",
      R"("limits": {"regex_match_limit": 100000000, "matching_budget_ms": 1,
                 "evaluation_budget_ms": 120000}, )");
  const Verdict verdict = evaluate(*policy, staff_mail(kHostileBody));
  REQUIRE(verdict.matches.size() == 3);
  for (const char* id : {"second", "third"}) {
    const Match* match = match_for(verdict, id);
    REQUIRE(match != nullptr);
    CHECK(match->action == Action::quarantine);
    CHECK(match->detail.find("matching time budget of 1 ms is spent") != std::string::npos);
  }
  CHECK(verdict.action == Action::quarantine);
}

TEST_CASE("the limit action is configurable", "[hostile][evaluate]") {
  test::TempDir dir;
  const auto policy =
      load(dir, "[" + evil_rule("evil") + "]",
           R"("on_regex_limit": "tempfail", "limits": {"regex_match_limit": 10000}, )");
  const Verdict verdict = evaluate(*policy, staff_mail(kHostileBody));
  CHECK(verdict.action == Action::tempfail);
  REQUIRE(verdict.reply);
  CHECK(verdict.reply->code.starts_with("4"));
  CHECK(verdict.reply->text.find("evil") != std::string::npos);
}

TEST_CASE("ordinary mail is matched within the default budget", "[hostile][evaluate]") {
  test::TempDir dir;
  const auto policy = load(dir, "[" + evil_rule("evil") + "]");
  const Verdict verdict = evaluate(*policy, staff_mail("hello there"));
  REQUIRE(verdict.matches.size() == 1);  // a plain line of words does match the pattern
  CHECK(verdict.matches[0].action == Action::tag);
  CHECK(verdict.matches[0].detail.find("could not be evaluated") == std::string::npos);
}

TEST_CASE("a check whose pattern could not run gives the limit action, not a pass",
          "[hostile][checks]") {
  test::TempDir dir;
  dir.write("words.txt", "bullshit\n");
  const std::string words = R"({"id": "words", "description": "d", "policy_ref": "3.5",
      "check": "word_list", "params": {"words": "words.txt"}, "action": "reject"})";
  const auto policy = load(dir, "[" + evil_rule("evil") + "," + words + "]",
                           R"("limits": {"regex_match_limit": 100000000, "matching_budget_ms": 1,
                 "evaluation_budget_ms": 120000}, )");
  const Verdict verdict = evaluate(*policy, staff_mail(kHostileBody + " bullshit"));
  const Match* match = match_for(verdict, "words");
  REQUIRE(match != nullptr);
  CHECK(match->action == Action::quarantine);
  CHECK(match->detail.find("a pattern could not be evaluated") != std::string::npos);

  test::TempDir roomy;
  roomy.write("words.txt", "bullshit\n");
  const auto ordinary = load(roomy, "[" + words + "]");
  const Verdict found = evaluate(*ordinary, staff_mail("what bullshit"));
  REQUIRE(match_for(found, "words") != nullptr);
  CHECK(found.action == Action::reject);
}

TEST_CASE("lint warns about a pattern that hits its limits on its own examples",
          "[hostile][rules]") {
  test::TempDir dir;
  const std::string examples =
      R"(, "examples": {"match": ["plain words"], "no_match": [")" + kHostileBody + R"("]})";
  const auto policy = load(dir, "[" + evil_rule("evil", examples) + "]",
                           R"("limits": {"regex_match_limit": 10000}, )");
  const auto warnings = example_cost_warnings(*policy);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].rule_id == "evil");
  CHECK(warnings[0].severity == Diagnostic::Severity::warning);
  CHECK(warnings[0].message.find("no_match example 0") != std::string::npos);
  CHECK(warnings[0].message.find("hit its limits") != std::string::npos);

  test::TempDir tame;
  const auto safe = load(tame, R"([{"id": "tame", "description": "d", "policy_ref": "4.7.1",
      "scope": "body", "pattern": "figures", "action": "tag",
      "examples": {"match": ["the figures"], "no_match": ["nothing"]}}])");
  CHECK(example_cost_warnings(*safe).empty());
}
