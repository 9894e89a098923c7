// The review pages' pieces that need no server: escaping, highlighting, accounts, throttling.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "web/accounts.hpp"
#include "web/html.hpp"
#include "web/pages.hpp"
#include "web/sessions.hpp"

using namespace aup::web;

TEST_CASE("message text is escaped and shows hidden characters", "[web]") {
  CHECK(escape(R"(<a href="x" onclick='y'>&</a>)") ==
        "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  CHECK(visible("pay\xe2\x80\xae"
                "cod.exe") == "pay\\u{202E}cod.exe");
  CHECK(visible("a\nb") == "a\\x0ab");
  CHECK(visible("a\nb", true) == "a\nb");
}

TEST_CASE("matched excerpts are marked, case-insensitively, inside escaped text", "[web]") {
  CHECK(highlighted("Forward <this> to TEN people", {"forward <this>", "ten"}) ==
        "<mark>Forward &lt;this&gt;</mark> to <mark>TEN</mark> people");
  CHECK(highlighted("abcabc", {"bc", "abc"}) == "<mark>abc</mark><mark>abc</mark>");
  CHECK(highlighted("nothing here", {"x"}) == "nothing here");  // one-letter excerpts ignored
  CHECK(quoted_excerpts(R"(score 9: "Forward this" in part 1; "within 24 hours" in part 1)") ==
        std::vector<std::string>{"Forward this", "within 24 hours"});
  CHECK(quoted_excerpts("no quotes").empty());
}

TEST_CASE("accounts: argon2id hashes, roles, and refusals", "[web]") {
  const auto dir = std::filesystem::temp_directory_path() / "aup-web-accounts-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const AccountFile accounts((dir / "accounts.json").string());
  accounts.add("alice", Role::officer, "a long enough password");
  accounts.add("bob.smith@council", Role::auditor, "another long password");
  CHECK_THROWS_AS(accounts.add("Alice", Role::auditor, "a long enough password"), AccountError);
  CHECK_THROWS_AS(accounts.add("alice", Role::auditor, "a long enough password"), AccountError);
  CHECK_THROWS_AS(accounts.add("carol", Role::auditor, "short"), AccountError);
  CHECK_THROWS_AS(accounts.add("bad name", Role::auditor, "a long enough password"), AccountError);
  CHECK_THROWS_AS(accounts.add("<script>", Role::auditor, "a long enough password"), AccountError);

  const auto alice = accounts.verify("alice", "a long enough password");
  REQUIRE(alice);
  CHECK(alice->account.role == Role::officer);
  CHECK_FALSE(accounts.verify("alice", "a long enough passwore"));
  CHECK_FALSE(accounts.verify("nobody", "a long enough password"));
  CHECK(accounts.verify("bob.smith@council", "another long password")->account.role ==
        Role::auditor);

  accounts.set_password("alice", "a brand new password");
  CHECK_FALSE(accounts.verify("alice", "a long enough password"));
  CHECK(accounts.verify("alice", "a brand new password"));
  accounts.remove("alice");
  CHECK_FALSE(accounts.verify("alice", "a brand new password"));
  CHECK_THROWS_AS(accounts.remove("alice"), AccountError);
  CHECK(accounts.list().size() == 1);

  std::string text;
  {
    std::ifstream in(dir / "accounts.json");
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  CHECK(text.find("$argon2id$") != std::string::npos);
  CHECK(text.find("another long password") == std::string::npos);
  struct stat status {};
  REQUIRE(stat((dir / "accounts.json").c_str(), &status) == 0);
  CHECK((status.st_mode & 0777) == 0640);
  std::filesystem::remove_all(dir);
}

TEST_CASE("sign-in throttling: per account name after 5, per address after 20", "[web]") {
  LoginThrottle throttle;
  for (int i = 0; i < 4; ++i)
    throttle.failed("alice", "10.0.0.1");
  CHECK(throttle.wait("alice", "10.0.0.1").count() == 0);
  throttle.failed("alice", "10.0.0.1");
  CHECK(throttle.wait("alice", "10.0.0.9").count() > 50);
  CHECK(throttle.wait("bob", "10.0.0.1").count() == 0);
  for (int i = 0; i < 15; ++i)
    throttle.failed("name" + std::to_string(i), "10.0.0.1");
  CHECK(throttle.wait("bob", "10.0.0.1").count() > 50);
  CHECK(throttle.wait("bob", "10.0.0.2").count() == 0);
  throttle.succeeded("alice", "10.0.0.3");
  CHECK(throttle.wait("alice", "10.0.0.3").count() == 0);
}

TEST_CASE("sessions: random tokens, expiry, sign-out", "[web]") {
  SessionTable sessions(std::chrono::minutes(5));
  const std::string token = sessions.open({"alice", Role::officer}, "hash");
  CHECK(token.size() == 64);
  const auto session = sessions.find(token);
  REQUIRE(session);
  CHECK(session->account.name == "alice");
  CHECK(session->csrf.size() == 64);
  CHECK(session->csrf != token);
  CHECK_FALSE(sessions.find(token.substr(1) + "0"));
  sessions.close(token);
  CHECK_FALSE(sessions.find(token));
  SessionTable expired(std::chrono::minutes(0));
  CHECK_FALSE(expired.find(expired.open({"bob", Role::auditor}, "hash")));
  CHECK(same_token("abc", "abc"));
  CHECK_FALSE(same_token("abc", "abd"));
  CHECK_FALSE(same_token("", ""));
}
