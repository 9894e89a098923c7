// Built-in checks of the shipped policy: working hours, the personal statement, identity,
// word lists and markings, evaluated through the engine with rules/aup.json.
#include <catch2/catch.hpp>

#include <algorithm>

#include "engine/checks/personal_mail.hpp"
#include "engine/evaluate.hpp"
#include "engine/policy_loader.hpp"
#include "engine/rfc3339.hpp"
#include "engine/working_hours.hpp"
#include "engine_services.hpp"

using namespace aup;
using aup::test::evaluate;

namespace {

const Policy& shipped() {
  static const LoadResult loaded = load_policy(std::string(AUP_SOURCE_DIR) + "/rules/aup.json");
  REQUIRE(loaded.policy);
  return *loaded.policy;
}

struct Mail {
  std::string headers = "From: Jo Bloggs <jo.bloggs@medway.gov.uk>\r\nTo: friend@example.org\r\n";
  std::string subject = "Hello";
  std::string body = "See you soon.";
  std::vector<std::string> rcpts = {"friend@example.org"};
  std::string login = "jo.bloggs";
  std::string sender = "jo.bloggs@medway.gov.uk";
  std::string time = "2026-01-07T19:00:00Z";
};

std::vector<std::string> matched(const Mail& mail) {
  Message message;
  message.raw = mail.headers + "Subject: " + mail.subject + "\r\n\r\n" + mail.body + "\r\n";
  message.envelope.sender = mail.sender;
  message.envelope.recipients = mail.rcpts;
  message.envelope.auth_user = mail.login;
  message.envelope.time = *parse_rfc3339(mail.time);
  std::vector<std::string> ids;
  for (const Match& match : evaluate(shipped(), message).matches)
    ids.push_back(match.rule);
  return ids;
}

bool has(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

const std::string kStatement =
    "This e-mail is personal. It is not authorised by or sent on behalf of Medway Council and "
    "is the personal responsibility of the sender.";

}  // namespace

TEST_CASE("working hours follow Europe/London, daylight saving and holidays", "[hours]") {
  const WorkingHours& hours = shipped().settings.working_hours;
  struct Row {
    const char* utc;
    bool working;
    const char* text;
  };
  const std::vector<Row> rows = {
      {"2026-01-07T09:00:00Z", true, "Wed 2026-01-07 09:00 Europe/London"},
      {"2026-01-07T08:59:00Z", false, "Wed 2026-01-07 08:59 Europe/London"},
      {"2026-01-07T16:59:00Z", true, "Wed 2026-01-07 16:59 Europe/London"},
      {"2026-01-07T17:00:00Z", false, "Wed 2026-01-07 17:00 Europe/London"},
      {"2026-07-08T15:30:00Z", true, "Wed 2026-07-08 16:30 Europe/London"},   // BST
      {"2026-07-08T16:30:00Z", false, "Wed 2026-07-08 17:30 Europe/London"},  // BST
      {"2026-07-08T08:30:00Z", true, "Wed 2026-07-08 09:30 Europe/London"},
      {"2026-01-10T12:00:00Z", false, "Sat 2026-01-10 12:00 Europe/London"},
      {"2026-12-25T12:00:00Z", false, "Fri 2026-12-25 12:00 Europe/London"},  // holiday
      {"2026-03-30T08:30:00Z", true, "Mon 2026-03-30 09:30 Europe/London"},   // day after change
  };
  for (const Row& row : rows) {
    INFO(row.utc);
    const LocalTime local = local_time(*parse_rfc3339(row.utc), hours);
    CHECK(local.working == row.working);
    CHECK(local.text == row.text);
  }
  CHECK(time_zone_exists("Europe/London"));
  CHECK_FALSE(time_zone_exists("Europe/Medway"));
  CHECK(valid_date("2028-02-29"));
  CHECK_FALSE(valid_date("2027-02-29"));
  CHECK_FALSE(valid_date("2027-2-28"));
}

TEST_CASE("the statement is compared in a normal form", "[personal]") {
  const std::string plain = checks::normalise_statement_text(kStatement);
  CHECK(plain ==
        "this email is personal it is not authorised by or sent on behalf of medway council and "
        "is the personal responsibility of the sender");
  CHECK(checks::normalise_statement_text(
            "\u201cThis E-Mail is\u00a0personal.\u201d\r\n It is not authorized by or sent on "
            "behalf of\n\nMedway  Council and is the personal responsibility of the sender") ==
        plain);
  // Folding is Unicode's, also where a non-ASCII character folds to ASCII (Kelvin sign, long s).
  CHECK(checks::normalise_statement_text("\u00c9COLE \u212aEY \u017fAFE \u0130 \u00df\u1e9e") ==
        "\u00e9cole key safe i\u0307 ssss");
  CHECK(checks::normalise_statement_text("\u2018a\u201b \u201e\u201fb\u2020") ==
        "a \u201fb\u2020");  // U+201F and U+2020 are not dropped
  CHECK(checks::normalise_statement_text("  \u00a0 x \u00a0 ") == "x");
}

TEST_CASE("personal mail: statement whole, in place, and outside working hours", "[personal]") {
  Mail mail;
  mail.subject = "[Personal] Saturday";
  CHECK(has(matched(mail), "personal-statement-missing"));

  mail.body = kStatement + "\r\nSee you Saturday.";
  auto ids = matched(mail);
  CHECK_FALSE(has(ids, "personal-statement-missing"));
  CHECK_FALSE(has(ids, "personal-statement-position"));
  CHECK_FALSE(has(ids, "personal-in-working-hours"));

  mail.time = "2026-01-07T12:00:00Z";
  CHECK(has(matched(mail), "personal-in-working-hours"));

  Mail partial;
  partial.body = "Just so you know, this email is personal.\r\nSee you.";
  CHECK(has(matched(partial), "personal-statement-missing"));

  Mail buried;
  buried.body = "1\r\n2\r\n3\r\n4\r\n5\r\n6\r\n" + kStatement +
                "\r\na\r\nb\r\nc\r\nd\r\ne\r\nf\r\ng\r\nh\r\ni\r\nj\r\nk\r\n";
  CHECK(has(matched(buried), "personal-statement-position"));

  Mail reply;
  reply.body = "Thanks!\r\n" + kStatement + "\r\n\r\nOn Tue, Sam wrote:\r\n";
  for (int i = 0; i < 20; ++i)
    reply.body += "> quoted line\r\n";
  CHECK(matched(reply).empty());

  Mail business;
  business.subject = "Planning committee";
  CHECK(matched(business).empty());
}

TEST_CASE("identity: sender ownership, shared mailboxes and display names", "[identity]") {
  Mail mail;
  CHECK(matched(mail).empty());
  mail.sender = "chief.executive@medway.gov.uk";
  CHECK(matched(mail) == std::vector<std::string>{"sender-not-owned"});

  Mail from_other;
  from_other.headers = "From: Chief Executive <chief.executive@medway.gov.uk>\r\n";
  CHECK(matched(from_other) == std::vector<std::string>{"sender-not-owned"});

  Mail spoof;
  spoof.headers = "From: \"chief.executive@medway.gov.uk\" <jo.bloggs@medway.gov.uk>\r\n";
  CHECK(matched(spoof) == std::vector<std::string>{"display-name-address"});

  Mail disposable;
  disposable.rcpts = {"someone@sharklasers.com"};
  CHECK(matched(disposable) == std::vector<std::string>{"anonymous-mail-service"});
}

TEST_CASE("offensive words match whole words - place names never", "[content]") {
  Mail mail;
  mail.body =
      "Scunthorpe, Penistone, Cockermouth, Sussex, Essex, Middlesex, cocktail, "
      "assessment, analyse, Dickens, Hancock, class.";
  CHECK(matched(mail).empty());
  mail.body = "What a load of BULLSHIT.";
  CHECK(matched(mail) == std::vector<std::string>{"offensive-material"});
}

TEST_CASE("markings may go to secure partners but not elsewhere", "[content]") {
  Mail mail;
  mail.subject = "OFFICIAL-SENSITIVE: case conference";
  mail.rcpts = {"nurse@nhs.net", "officer@kent.police.uk", "analyst@homeoffice.gov.uk"};
  CHECK(matched(mail).empty());
  mail.rcpts.push_back("adviser@example.com");
  CHECK(matched(mail) == std::vector<std::string>{"protective-marking-outbound"});
  mail.rcpts = {"someone@police.uk"};  // only subdomains of police.uk are partners
  CHECK(matched(mail) == std::vector<std::string>{"protective-marking-outbound"});
}

TEST_CASE("chain letters need more than one weak phrase", "[content]") {
  Mail mail;
  mail.body = "Please reply within 2 days.";
  CHECK(matched(mail).empty());
  mail.body = "Forward this email to 10 people within 24 hours or the luck ends.";
  CHECK(matched(mail) == std::vector<std::string>{"chain-letter-phrase"});
}
