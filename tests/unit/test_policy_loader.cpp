// The loader reports every problem at once, with file, line, pointer, rule id and regex offset.
#include <catch2/catch.hpp>

#include <algorithm>

#include "engine/evaluate.hpp"
#include "engine/policy_loader.hpp"
#include "engine_services.hpp"
#include "test_helpers.hpp"

using namespace aup;
using aup::test::evaluate;

namespace {

std::vector<std::string> errors_of(const LoadResult& result) {
  std::vector<std::string> out;
  for (const Diagnostic& d : result.diagnostics) {
    if (d.severity == Diagnostic::Severity::error) out.push_back(format_diagnostic(d));
  }
  return out;
}

bool any_contains(const std::vector<std::string>& lines, const std::string& needle) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
    return line.find(needle) != std::string::npos;
  });
}

const std::string kGoodRule = R"({"id": "r1", "description": "d", "policy_ref": "4.4",
  "scope": "subject", "pattern": "x", "action": "tag", "examples": {"match": ["x"]}})";

}  // namespace

TEST_CASE("a valid policy loads with its settings and rules", "[loader]") {
  test::TempDir dir;
  const auto result = load_policy(test::write_policy(dir, "[" + kGoodRule + "]"));
  REQUIRE(result.policy);
  CHECK(result.policy->rules.size() == 1);
  CHECK(result.policy->rules[0].line == 1);
  CHECK(result.policy->settings.internal_domains == std::vector<std::string>{"medway.gov.uk"});
  CHECK(result.policy->settings.on_internal_error == Action::tempfail);
}

TEST_CASE("a bad regex names file, line, rule and PCRE2's offset", "[loader]") {
  test::TempDir dir;
  const std::string rules = "[\n" + kGoodRule + ",\n" + R"({"id": "broken",
    "description": "d", "policy_ref": "3.5", "scope": "body",
    "pattern": "abc(def", "action": "quarantine"}])";
  const auto result = load_policy(test::write_policy(dir, rules));
  CHECK_FALSE(result.policy);
  const auto errors = errors_of(result);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == dir.path().string() +
                         "/rules.json:6:16: error: rule 'broken' (/rules/1/pattern): regex error "
                         "at offset 7: missing closing parenthesis");
}

TEST_CASE("JSON syntax errors give line and column", "[loader]") {
  test::TempDir dir;
  dir.write("rules.json", "{\"rules\": [\n  {\"id\": \"a\",,}\n]}");
  const auto result = load_policy(dir.write(
      "aup.json", R"({"internal_domains": ["medway.gov.uk"], "rule_files": ["rules.json"]})"));
  const auto errors = errors_of(result);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("rules.json:2:14: error: invalid JSON: syntax error") != std::string::npos);
}

TEST_CASE("every problem is reported at once", "[loader]") {
  test::TempDir dir;
  const std::string rules = R"([
    {"id": "dup", "description": "d", "policy_ref": "4.4", "scope": "subject", "pattern": "a",
     "action": "tag"},
    {"id": "dup", "description": "d", "policy_ref": "4.4", "scope": "subject", "pattern": "b",
     "action": "tag"},
    {"id": "noref", "description": "d", "scope": "subject", "pattern": "c", "action": "tag"},
    {"id": "badref", "description": "d", "policy_ref": "four", "scope": "subject",
     "pattern": "c", "action": "tag"},
    {"id": "typo", "description": "d", "policy_ref": "4.4", "scope": "subject", "pattern": "c",
     "action": "tag", "actoin": "reject"},
    {"id": "badscope", "description": "d", "policy_ref": "4.4", "scope": "bodies",
     "pattern": "c", "action": "tag"},
    {"id": "badaction", "description": "d", "policy_ref": "4.4", "scope": "body",
     "pattern": "c", "action": "drop"},
    {"id": "badreply", "description": "d", "policy_ref": "4.4", "scope": "body",
     "pattern": "c", "action": "reject", "reply": "line one\r\nline two"},
    {"id": "both", "description": "d", "policy_ref": "4.4", "scope": "body", "pattern": "c",
     "check": "empty_subject", "action": "tag"},
    {"id": "badcheck", "description": "d", "policy_ref": "4.4", "check": "no_such_check",
     "action": "tag"},
    {"id": "badparams", "description": "d", "policy_ref": "4.4", "check": "recipient_count",
     "params": {"count": "external", "more_than": -1}, "action": "tag"},
    {"id": "badexample", "description": "d", "policy_ref": "4.4", "check": "empty_subject",
     "action": "tag", "examples": {"match": ["a string"], "no_match": [{"subjekt": "x"}]}}
  ])";
  const auto result = load_policy(test::write_policy(dir, rules, R"("surprise": 1, )"));
  CHECK_FALSE(result.policy);
  const auto errors = errors_of(result);
  CHECK(any_contains(errors, "aup.json:2:61: error: (/surprise): unknown key \"surprise\""));
  CHECK(any_contains(errors, "rule 'dup' (/rules/1/id): duplicate rule id"));
  CHECK(any_contains(errors, "rule 'noref' (/rules/2): missing \"policy_ref\""));
  CHECK(any_contains(errors, "rule 'badref' (/rules/3/policy_ref)"));
  CHECK(any_contains(errors, "rule 'typo' (/rules/4/actoin): unknown key \"actoin\""));
  CHECK(any_contains(errors, "rule 'badscope' (/rules/5/scope): unknown scope \"bodies\""));
  CHECK(any_contains(errors, "rule 'badaction' (/rules/6/action)"));
  CHECK(any_contains(errors, "rule 'badreply' (/rules/7/reply): reply text has a line break"));
  CHECK(any_contains(errors, "rule 'both' (/rules/8): a rule has either"));
  CHECK(any_contains(errors, "rule 'badcheck' (/rules/9/check): unknown check \"no_such_check\""));
  CHECK(any_contains(errors, "rule 'badparams' (/rules/10/params): \"more_than\""));
  CHECK(any_contains(errors, "rule 'badexample' (/rules/11/examples/match/0)"));
  CHECK(any_contains(errors, "unknown example key \"subjekt\""));
  CHECK(errors.size() == 13);
}

TEST_CASE("settings are validated", "[loader]") {
  test::TempDir dir;
  const auto result = load_policy(
      test::write_policy(dir, "[" + kGoodRule + "]",
                         R"("internal_networks": ["10.0.0.0/40"], "on_internal_error": "reject",
         "limits": {"regex_match_limit": 0}, )"));
  const auto errors = errors_of(result);
  CHECK(any_contains(errors, "(/internal_networks/0): \"10.0.0.0/40\" is not an IP address"));
  CHECK(any_contains(errors, "(/on_internal_error): \"reject\" is not one of"));
  CHECK(any_contains(errors, "(/limits/regex_match_limit): must be an integer"));
}

// Every limit the schema documents is read, none refused as unknown.
TEST_CASE("every documented limit is accepted and applied", "[loader]") {
  test::TempDir dir;
  const auto result = load_policy(test::write_policy(dir, "[" + kGoodRule + "]", R"("limits": {
      "regex_match_limit": 5000, "regex_depth_limit": 600, "regex_heap_limit_kib": 700,
      "mime_max_depth": 8, "mime_max_parts": 90, "mime_max_header_fields": 300,
      "mime_max_header_bytes": 40000, "mime_max_line_bytes": 5000, "max_text_bytes": 60000,
      "max_attachment_bytes": 70000, "evaluation_budget_ms": 1500, "matching_budget_ms": 50,
      "archive_max_depth": 2, "archive_max_members": 80, "archive_max_total_bytes": 900000,
      "archive_max_ratio": 40}, )"));
  CHECK(errors_of(result).empty());
  REQUIRE(result.policy);
  const Settings& s = result.policy->settings;
  CHECK(s.regex.match_limit == 5000);
  CHECK(s.regex.message_budget == std::chrono::milliseconds(50));
  CHECK(s.mime.max_header_fields == 300);
  CHECK(s.mime.max_header_bytes == 40000);
  CHECK(s.mime.max_line_bytes == 5000);
  CHECK(s.mime.max_parts == 90);
  CHECK(s.evaluation_budget == std::chrono::milliseconds(1500));
  CHECK(s.inspect.max_ratio == 40);
}

TEST_CASE("missing files and deep nesting are errors, not crashes", "[loader]") {
  test::TempDir dir;
  CHECK(errors_of(load_policy((dir.path() / "absent.json").string())) ==
        std::vector<std::string>{(dir.path() / "absent.json").string() +
                                 ": error: cannot open file"});
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const auto result = load_policy(dir.write("deep.json", deep));
  CHECK(any_contains(errors_of(result), "JSON nests deeper than"));
  dir.write("rules.json", R"({"rules": "not an array"})");
  const auto not_rules = load_policy(dir.write(
      "aup.json", R"({"internal_domains": ["medway.gov.uk"], "rule_files": ["rules.json"]})"));
  CHECK(any_contains(errors_of(not_rules), "a rule file is an object with a \"rules\" array"));
}

TEST_CASE("rules without examples are a warning, not an error", "[loader]") {
  test::TempDir dir;
  const auto result = load_policy(test::write_policy(
      dir, R"([{"id": "r", "description": "d", "policy_ref": "4.4", "check": "empty_subject",
               "action": "tag"}])"));
  REQUIRE(result.policy);
  REQUIRE(result.diagnostics.size() == 1);
  CHECK(result.diagnostics[0].severity == Diagnostic::Severity::warning);
  CHECK(format_diagnostic(result.diagnostics[0]).find("no examples") != std::string::npos);
}

TEST_CASE("policy settings are validated with their pointers", "[loader]") {
  test::TempDir dir;
  const auto result = load_policy(test::write_policy(
      dir, "[" + kGoodRule + "]",
      R"("working_hours": {"days": ["mon", "funday"], "start": "9am", "end": "25:00",
           "time_zone": "Europe/Medway", "holidays": ["2026-02-30"]},
         "all_staff": {"addresses": "allstaff@medway.gov.uk"},
         "personal": {"statment": "x"},
         "secure_partner_domains": ["nhs net"],
         "mailbox_map": "absent.json", )"));
  const auto errors = errors_of(result);
  CHECK(any_contains(errors, "(/working_hours/days): \"funday\" is not a weekday"));
  CHECK(any_contains(errors, "(/working_hours/start): \"9am\" is not a time"));
  CHECK(any_contains(errors, "(/working_hours/end): \"25:00\" is not a time"));
  CHECK(any_contains(errors, "(/working_hours/time_zone): unknown time zone \"Europe/Medway\""));
  CHECK(any_contains(errors, "(/working_hours/holidays/0): \"2026-02-30\" is not a date"));
  CHECK(any_contains(errors, "(/all_staff/addresses): must be an array of strings"));
  CHECK(any_contains(errors, "(/personal/statment): unknown key"));
  CHECK(any_contains(errors, "(/secure_partner_domains): \"nhs net\" is not a domain"));
  CHECK(any_contains(errors, "absent.json: error: cannot open file"));
  CHECK(errors.size() == 9);
}

TEST_CASE("a mailbox map grants logins further addresses", "[loader]") {
  test::TempDir dir;
  dir.write("mailboxes.json", R"({"Jo.Bloggs": ["Planning@medway.gov.uk"]})");
  dir.write("rules.json", R"({"rules": [{"id": "own", "description": "d", "policy_ref": "4.7.3",
    "check": "sender_ownership", "action": "reject"}]})");
  const auto result = load_policy(dir.write("aup.json", R"({"internal_domains": ["medway.gov.uk"],
    "mailbox_map": "mailboxes.json", "rule_files": ["rules.json"]})"));
  REQUIRE(result.policy);
  CHECK(result.policy->settings.mailboxes.at("jo.bloggs") ==
        std::vector<std::string>{"planning@medway.gov.uk"});
  const auto verdict_for = [&](const std::string& sender) {
    Message message;
    message.raw = "From: " + sender + "\r\nSubject: x\r\n\r\nbody\r\n";
    message.envelope.sender = sender;
    message.envelope.recipients = {"a@example.org"};
    message.envelope.auth_user = "jo.bloggs";
    return evaluate(*result.policy, message).action;
  };
  CHECK(verdict_for("planning@medway.gov.uk") == Action::accept);
  CHECK(verdict_for("jo.bloggs@medway.gov.uk") == Action::accept);
  CHECK(verdict_for("housing@medway.gov.uk") == Action::reject);
}

TEST_CASE("reply codes must be permanent with a matching enhanced code", "[loader]") {
  for (const char* bad : {"452 4.3.1", "552", "552 4.3.4", "55x 5.3.4", "552 5.3", "552 5.3.4 x"}) {
    test::TempDir dir;
    const auto result = load_policy(
        test::write_policy(dir, std::string(R"([{"id": "r", "description": "d", "policy_ref": "3.7",
          "check": "empty_subject", "action": "reject", "reply_code": ")") +
                                    bad + "\"}]"));
    INFO(bad);
    CHECK(any_contains(errors_of(result), "(/rules/0/reply_code): \"" + std::string(bad) +
                                              "\" is not a permanent reply code"));
  }
  test::TempDir dir;
  const auto good = load_policy(test::write_policy(
      dir, R"([{"id": "r", "description": "d", "policy_ref": "3.7", "check": "empty_subject",
               "action": "reject", "reply_code": "552 5.3.4"}])"));
  REQUIRE(good.policy);
  CHECK(good.policy->rules[0].reply_code == "552");
  CHECK(good.policy->rules[0].reply_xcode == "5.3.4");
}
