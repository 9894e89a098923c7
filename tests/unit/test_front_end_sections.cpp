// Each front end reads its own section of the configuration file (issue 20, item 2): the
// engine loads without them, and a front end refuses a configuration whose section it cannot
// use, naming the key as the engine does for its own.
#include <catch2/catch.hpp>

#include <algorithm>

#include "daemon/daemon_config.hpp"
#include "engine/policy_loader.hpp"
#include "review/settings_file.hpp"
#include "test_helpers.hpp"
#include "web/web_settings.hpp"

using namespace aup;

namespace {

std::vector<std::string> errors_in(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Diagnostic::Severity::error) out.push_back(format_diagnostic(d));
  }
  return out;
}

bool any_contains(const std::vector<std::string>& lines, const std::string& needle) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
    return line.find(needle) != std::string::npos;
  });
}

const std::string kBadSections = R"(
  "daemon": {"max_connections": 0, "audit_fil": "x"},
  "clamd": {"address": "tcp://clamd"},
  "quarantine": {"mode": "keep", "release_relay": "localhost"},
  "web": {"listen": "8026", "trusted_user_role": "admin", "session_minutes": 1}, )";

}  // namespace

TEST_CASE("the engine loads without the front ends' sections", "[sections]") {
  test::TempDir dir;
  const auto loaded = load_policy(test::write_policy(dir, "[]", kBadSections));
  CHECK(errors_in(loaded.diagnostics).empty());
  REQUIRE(loaded.policy);
  REQUIRE(loaded.config);
}

TEST_CASE("each section's owner reports its problems with their pointers", "[sections]") {
  test::TempDir dir;
  LoadResult loaded = load_policy(test::write_policy(dir, "[]", kBadSections));
  read_front_end(loaded, read_daemon_settings);
  read_front_end(loaded, read_clamd_settings);
  read_front_end(loaded, read_quarantine_settings);
  read_front_end(loaded, read_web_settings);
  const auto errors = errors_in(loaded.diagnostics);
  CHECK(any_contains(errors, "(/daemon/max_connections): must be an integer from 1"));
  CHECK(any_contains(errors, "(/daemon/audit_fil): unknown key"));
  CHECK(any_contains(errors, "(/clamd/address): \"tcp://clamd\" is not unix:/path"));
  CHECK(any_contains(errors, "(/quarantine/mode): \"keep\" is not \"store\" or \"hold\""));
  CHECK(any_contains(errors, "(/quarantine/release_relay): \"localhost\" is not HOST:PORT"));
  CHECK(any_contains(errors, "(/web/listen): \"8026\" is not HOST:PORT"));
  CHECK(any_contains(errors, "(/web/trusted_user_role): \"admin\" is not"));
  CHECK(any_contains(errors, "(/web/session_minutes): must be an integer from 5"));
  CHECK(errors.size() == 8);
  CHECK_FALSE(loaded.policy);  // an error in any section refuses the whole configuration
}

TEST_CASE("the daemon refuses a configuration whose own sections are wrong", "[sections]") {
  test::TempDir dir;
  for (const std::string section : {R"("daemon": [], )", R"("clamd": {"timeout_ms": -1}, )",
                                    R"("quarantine": {"sender_notice": {"enabled": "yes"}}, )"}) {
    const auto loaded = daemon::load_daemon_config(test::write_policy(dir, "[]", section));
    CAPTURE(section);
    CHECK_FALSE(loaded.config);
    CHECK(errors_in(loaded.diagnostics).size() == 1);
  }
}

TEST_CASE("the daemon's sections and the size limit come from one reading", "[sections]") {
  test::TempDir dir;
  const auto loaded = daemon::load_daemon_config(test::write_policy(dir, "[]", R"(
    "daemon": {"max_message_bytes": 2048, "max_connections": 7, "audit_file": "audit.jsonl",
               "over_limit": {"action": "tempfail"}},
    "clamd": {"enabled": true, "address": "inet:3310@127.0.0.1", "timeout_ms": 900},
    "quarantine": {"mode": "hold", "directory": "held"}, )"));
  REQUIRE(loaded.config);
  const daemon::DaemonConfig& config = *loaded.config;
  CHECK(config.policy->settings.size_limit.max_message_bytes == 2048);
  CHECK(config.policy->settings.size_limit.over_limit.action == Action::tempfail);
  CHECK(config.daemon.max_connections == 7);
  CHECK(config.daemon.audit_file == "audit.jsonl");
  CHECK(config.clamd.enabled);
  CHECK(config.clamd.address == "inet:3310@127.0.0.1");
  CHECK(config.clamd.timeout == std::chrono::milliseconds(900));
  CHECK(config.quarantine.mode == QuarantineSettings::Mode::hold);
  CHECK(config.quarantine.directory == (dir.path() / "held").string());  // beside the file
}

TEST_CASE("the reviewers' commands read the quarantine and any further section", "[sections]") {
  test::TempDir dir;
  const std::string path = test::write_policy(dir, "[]", R"(
    "quarantine": {"retention_days": 9}, "web": {"four_eyes_clauses": ["4.4"]}, )");
  WebSettings web;
  const auto config = review::read_review_config(
      path,
      [&](const SourceFile& file, DiagnosticSink& sink) { web = read_web_settings(file, sink); });
  REQUIRE(config);
  CHECK(config->quarantine.retention_days == 9);
  CHECK(web.four_eyes_clauses == std::vector<std::string>{"4.4"});

  const std::string bad = test::write_policy(dir, "[]", R"("web": {"secure_cookies": 1}, )");
  CHECK(review::read_review_config(bad));  // the quarantine commands do not read "web"
  CHECK_FALSE(review::read_review_config(
      bad, [](const SourceFile& file, DiagnosticSink& sink) { read_web_settings(file, sink); }));
}
