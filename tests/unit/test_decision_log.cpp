// The daemon's decision log line: every field present, untrusted text escaped.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "daemon/decision_log.hpp"

using namespace aup;

TEST_CASE("log values escape spaces, quotes, controls and non-ASCII", "[log]") {
  CHECK(daemon::escape_log_value("jo@medway.gov.uk") == "jo@medway.gov.uk");
  CHECK(daemon::escape_log_value("").empty() == false);
  CHECK(daemon::escape_log_value("") == "-");
  CHECK(daemon::escape_log_value("a b=\"c\"\n") == "a\\x20b\\x3d\\x22c\\x22\\x0a");
  CHECK(daemon::escape_log_value("caf\xc3\xa9") == "caf\\xc3\\xa9");
}

TEST_CASE("a decision line names queue id, sender, count, direction, action, rules, clauses",
          "[log]") {
  Envelope envelope;
  envelope.sender = "jo bloggs@medway.gov.uk";
  envelope.recipients = {"a@example.org", "b@example.org"};
  Verdict verdict;
  verdict.action = Action::reject;
  verdict.direction = Direction::outbound;
  verdict.matches = {{"r1", "4.4", Action::reject, Mode::enforce, "envelope.rcpt", "secret detail"},
                     {"r2", "4.6.1", Action::tag, Mode::enforce, "subject", "x"},
                     {"r3", "4.4", Action::tag, Mode::monitor, "subject", "y"}};
  const std::string line =
      daemon::decision_line({"4Xyz1", envelope, verdict, std::chrono::microseconds(1500)});
  CHECK(line ==
        "queue_id=4Xyz1 sender=jo\\x20bloggs@medway.gov.uk recipients=2 direction=outbound "
        "action=reject rules=r1,r2 clauses=4.4,4.6.1 monitor=r3 elapsed_ms=1.5");
  CHECK(line.find("secret detail") == std::string::npos);  // never message content
}

TEST_CASE("a decision with no monitor match says monitor=-, one with only those rules=-", "[log]") {
  Envelope envelope;
  Verdict verdict;
  verdict.action = Action::accept;
  verdict.direction = Direction::outbound;
  verdict.matches = {{"trial", "2.3", Action::quarantine, Mode::monitor, "body", "x"}};
  const std::string trial =
      daemon::decision_line({"Q", envelope, verdict, std::chrono::microseconds(0)});
  CHECK_THAT(trial, Catch::Contains("action=accept rules=- clauses=- monitor=trial "));
  verdict.matches.clear();
  const std::string none =
      daemon::decision_line({"Q", envelope, verdict, std::chrono::microseconds(0)});
  CHECK_THAT(none, Catch::Contains("rules=- clauses=- monitor=- "));
}

TEST_CASE("an audit line that cannot be written is reported, one that can is appended", "[log]") {
  Envelope envelope;
  envelope.sender = "jo@medway.gov.uk";
  Verdict verdict;
  verdict.direction = Direction::outbound;
  const daemon::Decision decision{"Q1", envelope, verdict, std::chrono::microseconds(10)};
  CHECK_FALSE(daemon::log_decision(decision, "/nonexistent-directory/audit.jsonl"));
  const std::string path = std::filesystem::temp_directory_path() / "aup-audit-test.jsonl";
  std::filesystem::remove(path);
  CHECK(daemon::log_decision(decision, path));
  std::ifstream in(path);
  std::string line;
  REQUIRE(std::getline(in, line));
  CHECK_THAT(line, Catch::Contains("\"queue_id\":\"Q1\""));
  std::filesystem::remove(path);
}

TEST_CASE("a log line's text is ours and its values cannot forge a field or a line", "[log]") {
  const std::string hostile = "x action=accept\nqueue_id=FORGED";
  daemon::LogLine line(3, "could not be quarantined; tempfail");
  line.add("queue_id", hostile).add("open", 3U).add("error", "");
  CHECK(line.text() ==
        "could not be quarantined; tempfail queue_id=x\\x20action\\x3daccept\\x0aqueue_id\\x3d"
        "FORGED open=3 error=-");
  // One '=' per field, and nothing but the fields after the text.
  CHECK(std::count(line.text().begin(), line.text().end(), '=') == 3);
  CHECK(line.text().find('\n') == std::string::npos);
  // A line of fields only (the decision line) starts with its first key.
  daemon::LogLine fields(6, "");
  fields.add("queue_id", "4Xyz1").add("rules", 12);
  CHECK(fields.text() == "queue_id=4Xyz1 rules=12");
}
