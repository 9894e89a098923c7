// The quarantine library: the message directory, the SQLite index (filters, conditional
// transitions, the append-only audit trail, concurrent writers), holding and reconciling,
// reviewers' decisions (release, delete, purge), released bytes and sender notices.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <latch>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "engine/rfc3339.hpp"
#include "quarantine/index.hpp"
#include "quarantine/item.hpp"
#include "quarantine/message_store.hpp"
#include "quarantine/quarantine.hpp"
#include "quarantine/review.hpp"
#include "quarantine/sender_notice.hpp"
#include "quarantine/smtp_client.hpp"
#include "review/quarantine_view.hpp"
#include "test_helpers.hpp"

using namespace aup;
using namespace aup::quarantine;
using aup::test::TempDir;
namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// Files and directories

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

size_t entries_in(const fs::path& directory) {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(directory))
    ++count;
  return count;
}

// A string of every byte of a literal, NULs included.
template <size_t N>
std::string bytes_of(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

std::chrono::system_clock::time_point at(const std::string& rfc3339) {
  const auto time = parse_rfc3339(rfc3339);
  REQUIRE(time);
  return *time;
}

// ---------------------------------------------------------------------------------------------
// Index rows and audit entries

Item make_item(const std::string& id, const std::string& time, const std::string& sender = "",
               std::vector<std::string> rules = {"r1"}) {
  Item item;
  item.id = id;
  item.time = time;
  item.queue_id = "4Q" + id;
  item.mode = "store";
  item.sender = sender;
  item.recipients = {"a@example.org"};
  item.subject = "subject of " + id;
  item.direction = "outbound";
  item.rules = std::move(rules);
  item.clauses = {"4.4"};
  item.size = 100;
  return item;
}

AuditEntry audit_entry(const std::string& id, const std::string& action,
                       const std::string& actor = "tester",
                       const std::string& time = "2026-01-01T00:00:00Z") {
  return {time, id, actor, action, action + " detail"};
}

std::vector<std::string> ids_of(const std::vector<Item>& items) {
  std::vector<std::string> out;
  for (const Item& item : items)
    out.push_back(item.id);
  return out;
}

std::vector<std::string> actions_of(const std::vector<AuditEntry>& entries) {
  std::vector<std::string> out;
  for (const AuditEntry& entry : entries)
    out.push_back(entry.action);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Envelopes, verdicts and held messages

const std::string kRaw =
    "Received: from pc1.medway.gov.uk\r\n"
    "From: Jo <jo@medway.gov.uk>\r\n"
    "To: a@example.org\r\n"
    "Subject: Quarterly figures\r\n"
    "X-AUP-Action: quarantine\r\n"
    "\r\n"
    "Confidential figures.\r\n"
    ".leading dot\r\n";

Envelope sample_envelope() {
  Envelope envelope;
  envelope.sender = "jo@medway.gov.uk";
  envelope.recipients = {"a@example.org", "b@example.org"};
  envelope.auth_user = "jo";
  envelope.client_ip = "10.1.2.3";
  return envelope;
}

// Two enforced matches (one rule twice) and a monitor match, which must not count.
Verdict sample_verdict() {
  Verdict verdict;
  verdict.action = Action::quarantine;
  verdict.direction = Direction::outbound;
  verdict.matches = {
      {"confidential", "4.4", Action::quarantine, Mode::enforce, "body", "Confidential"},
      {"personal-tag", "4.2", Action::tag, Mode::enforce, "subject", "figures"},
      {"confidential", "4.4", Action::quarantine, Mode::enforce, "subject", "Quarterly"},
      {"trial-rule", "9.9", Action::quarantine, Mode::monitor, "body", "figures"}};
  return verdict;
}

QuarantineSettings settings_in(const TempDir& dir) {
  QuarantineSettings settings;
  settings.directory = (dir.path() / "quarantine").string();
  return settings;
}

HoldResult hold_sample(const Quarantine& quarantine, const std::string& raw = kRaw,
                       QuarantineSettings::Mode mode = QuarantineSettings::Mode::store) {
  const Envelope envelope = sample_envelope();
  const Verdict verdict = sample_verdict();
  return quarantine.hold(
      {raw, envelope, verdict, "4XyzQ1", "Quarterly figures", mode, "<figures@medway.gov.uk>"});
}

// ---------------------------------------------------------------------------------------------
// Sockets: a port where nothing listens, and a one-shot SMTP server

sockaddr_in loopback(uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  return address;
}

// Binds a listening-capable socket to 127.0.0.1:0 and returns it with its port.
int bound_socket(uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address = loopback(0);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  port = ntohs(address.sin_port);
  return fd;
}

std::string unused_relay() {
  uint16_t port = 0;
  ::close(bound_socket(port));
  return "127.0.0.1:" + std::to_string(port);
}

// Accepts one SMTP session, records it, and answers `data_reply` to the message data.
class FakeSmtpServer {
 public:
  explicit FakeSmtpServer(std::string data_reply = "250 2.0.0 queued")
      : data_reply_(std::move(data_reply)) {
    listener_ = bound_socket(port_);
    REQUIRE(::listen(listener_, 1) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeSmtpServer() { finish(); }
  FakeSmtpServer(const FakeSmtpServer&) = delete;
  FakeSmtpServer& operator=(const FakeSmtpServer&) = delete;

  std::string relay() const { return "127.0.0.1:" + std::to_string(port_); }

  // Waits for the session to end; then the recorded fields may be read.
  void finish() {
    if (!thread_.joinable()) return;
    ::shutdown(listener_, SHUT_RDWR);  // wakes accept() when no client came
    thread_.join();
    ::close(listener_);
  }

  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::string data;  // as received, dot-stuffing undone, CRLF line ends
  bool sessions = false;

 private:
  void serve() {
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) return;
    sessions = true;
    timeval timeout{10, 0};
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    send_line(client, "220 fake.test ESMTP");
    bool in_data = false;
    std::string line;
    while (read_line(client, line)) {
      if (in_data) {
        if (line == ".") {
          in_data = false;
          send_line(client, data_reply_);
        } else {
          data += (line.starts_with(".") ? line.substr(1) : line) + "\r\n";
        }
        continue;
      }
      const std::string verb = line.substr(0, 4);
      if (verb == "EHLO" || verb == "HELO") {
        send_line(client, "250 fake.test");
      } else if (line.starts_with("MAIL FROM:")) {
        mail_from = line.substr(10);
        send_line(client, "250 2.1.0 ok");
      } else if (line.starts_with("RCPT TO:")) {
        rcpt_to.push_back(line.substr(8));
        send_line(client, "250 2.1.5 ok");
      } else if (verb == "DATA") {
        in_data = true;
        send_line(client, "354 go ahead");
      } else if (verb == "QUIT") {
        send_line(client, "221 bye");
        break;
      } else {
        send_line(client, "502 5.5.2 not implemented");
      }
    }
    ::close(client);
  }

  static void send_line(int fd, const std::string& line) {
    const std::string bytes = line + "\r\n";
    [[maybe_unused]] const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }

  // One line without its CRLF; false at the end of the session.
  bool read_line(int fd, std::string& line) {
    while (true) {
      const auto end = buffer_.find("\r\n");
      if (end != std::string::npos) {
        line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return true;
      }
      char chunk[4096];
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  std::string data_reply_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::string buffer_;
  std::thread thread_;
};

}  // namespace

// =============================================================================================
// Item ids and status names

TEST_CASE("item ids are lower-case letters, digits and dashes only", "[quarantine]") {
  CHECK(valid_item_id("20261128-142501-1a2b3c4d"));
  CHECK_FALSE(valid_item_id(""));
  CHECK_FALSE(valid_item_id("../x"));
  CHECK_FALSE(valid_item_id("a/b"));
  CHECK_FALSE(valid_item_id(".."));
  CHECK_FALSE(valid_item_id("-rf"));
  CHECK_FALSE(valid_item_id("ABC"));
  CHECK_FALSE(valid_item_id(std::string(65, 'a')));
  CHECK(valid_item_id(std::string(64, 'a')));
}

TEST_CASE("status names round-trip", "[quarantine]") {
  for (const Status status :
       {Status::held, Status::releasing, Status::released, Status::deleted, Status::expired}) {
    CHECK(parse_status(to_string(status)) == status);
  }
  CHECK(to_string(Status::releasing) == "releasing");
  CHECK_FALSE(parse_status("Held"));
  CHECK_FALSE(parse_status(""));
}

// =============================================================================================
// MessageStore

TEST_CASE("a written item holds the exact bytes and its id, and nothing is left in tmp/",
          "[quarantine]") {
  TempDir dir;
  const MessageStore store((dir.path() / "q").string(), true);
  const std::string message = bytes_of("Subject: x\r\n\r\nbinary\0part\r\nend\n");
  REQUIRE(message.find('\0') != std::string::npos);
  const nlohmann::ordered_json record = {{"id", ""}, {"queue_id", "4Xyz"}};

  const std::string id = store.write(message, record, at("2026-11-28T14:25:01Z"));

  CHECK(valid_item_id(id));
  CHECK(id.starts_with("20261128-142501-"));
  CHECK(id.size() == std::string("20261128-142501-1a2b3c4d").size());
  CHECK(slurp(dir.path() / "q" / "items" / id / "message.eml") == message);
  const auto parsed = nlohmann::json::parse(slurp(dir.path() / "q" / "items" / id / "record.json"));
  CHECK(parsed["id"] == id);
  CHECK(parsed["queue_id"] == "4Xyz");
  CHECK(entries_in(dir.path() / "q" / "tmp") == 0);
  CHECK(store.read_message(id) == message);
  REQUIRE(store.read_record(id));
  CHECK((*store.read_record(id))["id"] == id);
}

// Found by fuzzing: a detail quoting a non-UTF-8 archive member name made the record's JSON
// refuse to serialise, so the message could be neither held nor let through (tempfail forever).
TEST_CASE("a record with bytes that are not UTF-8 is still stored and indexed", "[quarantine]") {
  TempDir dir;
  const MessageStore store((dir.path() / "q").string(), true);
  const nlohmann::ordered_json record = {{"id", ""}, {"detail", "member \"eica\xa9.zip\""}};
  const std::string id =
      store.write("Subject: x\r\n\r\nhi\r\n", record, at("2026-11-28T14:25:01Z"));
  const auto parsed = nlohmann::json::parse(slurp(dir.path() / "q" / "items" / id / "record.json"));
  CHECK(parsed["detail"] == "member \"eica\xef\xbf\xbd.zip\"");  // U+FFFD

  const auto index = open_sqlite_index((dir.path() / "index.sqlite").string());
  Item item = make_item("20260101-100000-00000001", "2026-01-01T10:00:00Z", "jo@medway.gov.uk",
                        {"r\xff"
                         "1"});
  item.recipients = {"bad\xfe@example.org"};
  CHECK(index->add(item, audit_entry(item.id, "quarantined")));
  CHECK(index->find(item.id));
}

TEST_CASE("contains, ids and remove see the items directory", "[quarantine]") {
  TempDir dir;
  const MessageStore store((dir.path() / "q").string(), true);
  const auto now = std::chrono::system_clock::now();
  const std::string first = store.write("one", {}, now);
  const std::string second = store.write("two", {}, now);
  CHECK(first != second);
  CHECK(store.contains(first));
  CHECK_FALSE(store.contains("20000101-000000-00000000"));

  auto ids = store.ids();
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> expected = {first, second};
  std::sort(expected.begin(), expected.end());
  CHECK(ids == expected);

  CHECK(store.remove(first));
  CHECK_FALSE(store.contains(first));
  CHECK_FALSE(fs::exists(dir.path() / "q" / "items" / first));
  CHECK(store.ids() == std::vector<std::string>{second});
  CHECK(store.read_message(second) == "two");
}

TEST_CASE("unknown and malicious ids read as nothing", "[quarantine]") {
  TempDir dir;
  const MessageStore store((dir.path() / "q").string(), true);
  dir.write("x", "outside the store");
  fs::create_directories(dir.path() / "q" / "items" / "a");
  std::ofstream(dir.path() / "q" / "items" / "a" / "b") << "nested";

  CHECK_FALSE(store.read_message("20000101-000000-00000000"));
  CHECK_FALSE(store.read_message("../x"));
  CHECK_FALSE(store.read_message("../../x"));
  CHECK_FALSE(store.read_message("a/b"));
  CHECK_FALSE(store.read_message(""));
  CHECK_FALSE(store.read_record("../x"));
  CHECK_FALSE(store.contains(".."));
  CHECK_FALSE(store.remove(".."));
  CHECK(fs::exists(dir.path() / "x"));
}

TEST_CASE("a failed write throws and leaves neither an item nor a temporary", "[quarantine]") {
  TempDir dir;
  const MessageStore store((dir.path() / "q").string(), true);
  fs::remove(dir.path() / "q" / "items");
  std::ofstream(dir.path() / "q" / "items") << "not a directory";

  CHECK_THROWS_AS(store.write("message", {}, std::chrono::system_clock::now()), std::system_error);
  CHECK(entries_in(dir.path() / "q" / "tmp") == 0);
  CHECK(fs::is_regular_file(dir.path() / "q" / "items"));
}

TEST_CASE("only stale temporaries are removed", "[quarantine]") {
  TempDir dir;
  const MessageStore store((dir.path() / "q").string(), true);
  const fs::path tmp = dir.path() / "q" / "tmp";
  fs::create_directory(tmp / "old");
  std::ofstream(tmp / "old" / "message.eml") << "half written";
  fs::create_directory(tmp / "new");
  fs::last_write_time(tmp / "old", fs::file_time_type::clock::now() - std::chrono::hours(2));
  const std::string id = store.write("kept", {}, std::chrono::system_clock::now());

  store.remove_stale_temporaries(std::chrono::hours(1));

  CHECK_FALSE(fs::exists(tmp / "old"));
  CHECK(fs::exists(tmp / "new"));
  CHECK(store.contains(id));
}

// =============================================================================================
// SQLite index

TEST_CASE("the index keeps every field and refuses a second add of an id", "[quarantine]") {
  TempDir dir;
  const auto index = open_sqlite_index((dir.path() / "index.sqlite").string());
  Item item = make_item("20260101-100000-00000001", "2026-01-01T10:00:00Z", "jo@medway.gov.uk",
                        {"r1", "r2"});
  item.subject = "Caf\xc3\xa9 figures";
  item.size = 123456;

  CHECK(index->add(item, audit_entry(item.id, "quarantined")));
  Item other = item;
  other.subject = "replaced?";
  CHECK_FALSE(index->add(other, audit_entry(item.id, "quarantined-again")));

  const auto found = index->find(item.id);
  REQUIRE(found);
  CHECK(to_json(*found) == to_json(item));
  CHECK_FALSE(index->find("20000101-000000-00000000"));
  CHECK(actions_of(index->audit(item.id)) == std::vector<std::string>{"quarantined"});
}

TEST_CASE("the index lists newest first and filters", "[quarantine]") {
  TempDir dir;
  const auto index = open_sqlite_index((dir.path() / "index.sqlite").string());
  const std::string a = "20260101-100000-0000000a", b = "20260102-100000-0000000b",
                    c = "20260103-100000-0000000c";
  index->add(make_item(a, "2026-01-01T10:00:00Z", "Jo@Medway.gov.uk", {"r1"}),
             audit_entry(a, "quarantined"));
  index->add(make_item(c, "2026-01-03T10:00:00Z", "jo@medway.gov.uk", {"r3"}),
             audit_entry(c, "quarantined"));
  index->add(make_item(b, "2026-01-02T10:00:00Z", "kim@medway.gov.uk", {"r2", "r1"}),
             audit_entry(b, "quarantined"));
  REQUIRE(
      index->transition(c, {Status::held}, Status::deleted, audit_entry(c, "deleted"), true, ""));
  using Ids = std::vector<std::string>;

  CHECK(ids_of(index->list({})) == Ids{c, b, a});

  ListFilter held;
  held.statuses = {Status::held};
  CHECK(ids_of(index->list(held)) == Ids{b, a});

  ListFilter since;
  since.since = "2026-01-02T10:00:00Z";  // inclusive
  CHECK(ids_of(index->list(since)) == Ids{c, b});

  ListFilter before;
  before.before = "2026-01-02T10:00:00Z";  // exclusive
  CHECK(ids_of(index->list(before)) == Ids{a});

  ListFilter rule;
  rule.rule = "r1";
  CHECK(ids_of(index->list(rule)) == Ids{b, a});
  rule.rule = "r";  // a whole rule id, not a substring
  CHECK(index->list(rule).empty());

  ListFilter sender;
  sender.sender = "JO@medway.GOV.uk";
  CHECK(ids_of(index->list(sender)) == Ids{c, a});

  ListFilter combined;
  combined.sender = "jo@medway.gov.uk";
  combined.statuses = {Status::held};
  CHECK(ids_of(index->list(combined)) == Ids{a});
}

// ListFilter::sender is optional so that "" can mean the null sender (Item::sender's "" is
// the null sender, as for bounces), distinct from "no filter".
TEST_CASE("a sender filter for the null sender lists only null-sender items", "[quarantine]") {
  TempDir dir;
  const auto index = open_sqlite_index((dir.path() / "index.sqlite").string());
  const std::string bounce = "20260101-100000-0000000a", mail = "20260102-100000-0000000b";
  index->add(make_item(bounce, "2026-01-01T10:00:00Z", ""), audit_entry(bounce, "quarantined"));
  index->add(make_item(mail, "2026-01-02T10:00:00Z", "jo@medway.gov.uk"),
             audit_entry(mail, "quarantined"));

  ListFilter null_sender;
  null_sender.sender = "";
  CHECK(ids_of(index->list(null_sender)) == std::vector<std::string>{bounce});
}

TEST_CASE("a transition happens once - the second from the same status is refused",
          "[quarantine]") {
  TempDir dir;
  const auto index = open_sqlite_index((dir.path() / "index.sqlite").string());
  const std::string id = "20260101-100000-00000001";
  index->add(make_item(id, "2026-01-01T10:00:00Z"), audit_entry(id, "quarantined"));

  CHECK(index->transition(id, {Status::held}, Status::releasing, audit_entry(id, "release-started"),
                          false, "ignored"));
  CHECK_FALSE(index->transition(id, {Status::held}, Status::releasing,
                                audit_entry(id, "release-started"), false, ""));
  CHECK_FALSE(index->transition("20000101-000000-00000000", {Status::held}, Status::deleted,
                                audit_entry("20000101-000000-00000000", "deleted"), true, ""));

  const auto item = index->find(id);
  REQUIRE(item);
  CHECK(item->status == Status::releasing);
  CHECK(item->reviewer.empty());  // decides=false leaves the decision fields alone
  CHECK(item->note.empty());
  // A refused transition records nothing.
  CHECK(actions_of(index->audit(id)) == std::vector<std::string>{"quarantined", "release-started"});
  CHECK(index->audit(std::string("20000101-000000-00000000")).empty());
}

TEST_CASE("a deciding transition records reviewer, decision time and note", "[quarantine]") {
  TempDir dir;
  const auto index = open_sqlite_index((dir.path() / "index.sqlite").string());
  const std::string id = "20260101-100000-00000001";
  index->add(make_item(id, "2026-01-01T10:00:00Z"), audit_entry(id, "quarantined"));

  CHECK(index->transition(id, {Status::releasing, Status::held}, Status::deleted,
                          audit_entry(id, "deleted", "alice", "2026-01-05T09:30:00Z"), true,
                          "not business mail"));

  const auto item = index->find(id);
  REQUIRE(item);
  CHECK(item->status == Status::deleted);
  CHECK(item->reviewer == "alice");
  CHECK(item->decision_time == "2026-01-05T09:30:00Z");
  CHECK(item->note == "not business mail");
  CHECK(item->stored);
}

TEST_CASE("mark_removed clears stored and is audited", "[quarantine]") {
  TempDir dir;
  const auto index = open_sqlite_index((dir.path() / "index.sqlite").string());
  const std::string id = "20260101-100000-00000001";
  index->add(make_item(id, "2026-01-01T10:00:00Z"), audit_entry(id, "quarantined"));

  index->mark_removed(id, audit_entry(id, "purged", "retention"));

  const auto item = index->find(id);
  REQUIRE(item);
  CHECK_FALSE(item->stored);
  CHECK(item->status == Status::held);
  const auto trail = index->audit(id);
  REQUIRE(trail.size() == 2);
  CHECK(trail[1].action == "purged");
  CHECK(trail[1].actor == "retention");
}

TEST_CASE("the audit trail is in order, per id or whole, and survives reopening", "[quarantine]") {
  TempDir dir;
  const std::string path = (dir.path() / "index.sqlite").string();
  const std::string a = "20260101-100000-0000000a", b = "20260101-100000-0000000b";
  {
    const auto index = open_sqlite_index(path);
    index->add(make_item(a, "2026-01-01T10:00:00Z"), audit_entry(a, "quarantined"));
    index->add(make_item(b, "2026-01-01T10:00:00Z"), audit_entry(b, "quarantined"));
    index->append_audit(audit_entry(a, "viewed", "alice"));
    index->append_audit(audit_entry(b, "viewed", "bob"));
    index->append_audit(audit_entry(a, "exported", "alice"));
  }
  const auto index = open_sqlite_index(path);

  const auto whole = index->audit(std::nullopt);
  REQUIRE(whole.size() == 5);
  CHECK(actions_of(whole) ==
        std::vector<std::string>{"quarantined", "quarantined", "viewed", "viewed", "exported"});
  CHECK(whole[0].item_id == a);
  CHECK(whole[1].item_id == b);
  CHECK(whole[3].actor == "bob");

  const auto only_a = index->audit(a);
  CHECK(actions_of(only_a) == std::vector<std::string>{"quarantined", "viewed", "exported"});
  CHECK(std::all_of(only_a.begin(), only_a.end(),
                    [&](const AuditEntry& entry) { return entry.item_id == a; }));
  CHECK(index->find(b));
}

TEST_CASE("the audit table refuses updates and deletes", "[quarantine]") {
  TempDir dir;
  const std::string path = (dir.path() / "index.sqlite").string();
  const std::string id = "20260101-100000-00000001";
  const auto index = open_sqlite_index(path);
  index->add(make_item(id, "2026-01-01T10:00:00Z"), audit_entry(id, "quarantined"));

  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  const auto run = [db](const char* sql) {
    char* error = nullptr;
    const int result = sqlite3_exec(db, sql, nullptr, nullptr, &error);
    const std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    return std::make_pair(result, message);
  };
  const auto update = run("UPDATE audit SET actor = 'mallory'");
  const auto erase = run("DELETE FROM audit");
  const auto items_update = run("UPDATE items SET note = 'items are not append-only'");
  sqlite3_close(db);

  CHECK(update.first != SQLITE_OK);
  CHECK_THAT(update.second, Catch::Contains("append-only"));
  CHECK(erase.first != SQLITE_OK);
  CHECK_THAT(erase.second, Catch::Contains("append-only"));
  CHECK(items_update.first == SQLITE_OK);
  const auto trail = index->audit(id);
  REQUIRE(trail.size() == 1);
  CHECK(trail[0].actor == "tester");
}

// =============================================================================================
// Concurrency

TEST_CASE("of many connections racing to release one item exactly one wins", "[quarantine]") {
  TempDir dir;
  const std::string path = (dir.path() / "index.sqlite").string();
  const std::string id = "20260101-100000-00000001";
  open_sqlite_index(path)->add(make_item(id, "2026-01-01T10:00:00Z"),
                               audit_entry(id, "quarantined"));
  constexpr int kThreads = 8;
  std::atomic<int> winners{0}, errors{0};
  std::latch ready(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        const auto own = open_sqlite_index(path);
        ready.arrive_and_wait();
        if (own->transition(id, {Status::held}, Status::releasing,
                            audit_entry(id, "release-started", "reviewer" + std::to_string(t)),
                            false, "")) {
          ++winners;
        }
      } catch (const std::exception&) {
        ++errors;
      }
    });
  }
  for (auto& thread : threads)
    thread.join();

  CHECK(errors == 0);
  CHECK(winners == 1);
  const auto index = open_sqlite_index(path);
  CHECK(index->find(id)->status == Status::releasing);
  CHECK(actions_of(index->audit(id)) == std::vector<std::string>{"quarantined", "release-started"});
}

// Opening runs "PRAGMA journal_mode=WAL", which on a file not yet in WAL mode needs an
// exclusive lock and fails at once with "database is locked" (the busy timeout does not apply)
// when another connection is opening the same new file: a first aupctl run racing the daemon's
// first hold. Without the retry it failed in about one round in six; twenty rounds make a
// regression near certain to show.
TEST_CASE("connections opening a new index at the same moment all succeed", "[quarantine]") {
  TempDir dir;
  constexpr int kRounds = 20, kThreads = 8;
  std::atomic<int> added{0};
  std::vector<std::string> failures(kRounds * kThreads);
  for (int round = 0; round < kRounds; ++round) {
    const std::string path = (dir.path() / ("fresh-" + std::to_string(round))).string();
    std::latch ready(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        ready.arrive_and_wait();
        try {
          const std::string id = "20260101-100000-0000000" + std::to_string(t);
          if (open_sqlite_index(path)->add(make_item(id, "2026-01-01T10:00:00Z"),
                                           audit_entry(id, "quarantined"))) {
            ++added;
          }
        } catch (const std::exception& error) {
          failures[static_cast<size_t>(round * kThreads + t)] = error.what();
        }
      });
    }
    for (auto& thread : threads)
      thread.join();
  }

  const auto failed = std::find_if(failures.begin(), failures.end(),
                                   [](const std::string& failure) { return !failure.empty(); });
  CHECK(added == kRounds * kThreads);
  CHECK((failed == failures.end() ? std::string() : *failed) == "");
}

TEST_CASE("threads sharing one index add distinct items without losing any", "[quarantine]") {
  TempDir dir;
  const auto index = open_sqlite_index((dir.path() / "index.sqlite").string());
  constexpr int kThreads = 8, kEach = 25;
  std::atomic<int> added{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string id = "20260101-100000-" + std::to_string(t) + "-" + std::to_string(i);
        try {
          if (index->add(make_item(id, "2026-01-01T10:00:00Z"), audit_entry(id, "quarantined"))) {
            ++added;
          }
        } catch (const std::exception&) {
          ++errors;
        }
      }
    });
  }
  for (auto& thread : threads)
    thread.join();

  CHECK(errors == 0);
  CHECK(added == kThreads * kEach);
  CHECK(index->list({}).size() == size_t{kThreads * kEach});
  CHECK(index->audit(std::nullopt).size() == size_t{kThreads * kEach});
  CHECK(index->find("20260101-100000-7-24"));
}

// =============================================================================================
// Quarantine: hold and reconcile

TEST_CASE("hold stores the message and indexes why it was held", "[quarantine]") {
  TempDir dir;
  const Quarantine quarantine(settings_in(dir), Quarantine::Create::yes);

  const HoldResult held = hold_sample(quarantine);

  CHECK(held.index_error.empty());
  CHECK(valid_item_id(held.id));
  CHECK(quarantine.store().read_message(held.id) == kRaw);
  const auto item = quarantine.index().find(held.id);
  REQUIRE(item);
  CHECK(item->rules == std::vector<std::string>{"confidential", "personal-tag"});
  CHECK(item->clauses == std::vector<std::string>{"4.4", "4.2"});
  CHECK(item->sender == "jo@medway.gov.uk");
  CHECK(item->recipients == std::vector<std::string>{"a@example.org", "b@example.org"});
  CHECK(item->subject == "Quarterly figures");
  CHECK(item->size == kRaw.size());
  CHECK(item->queue_id == "4XyzQ1");
  CHECK(item->mode == "store");
  CHECK(item->direction == "outbound");
  CHECK(item->status == Status::held);
  CHECK(item->stored);
  CHECK(parse_rfc3339(item->time));
  CHECK(to_json(*item) == to_json(held.item));
  CHECK(fs::exists(fs::path(quarantine.settings().directory) / "index.sqlite"));

  const auto trail = quarantine.index().audit(held.id);
  REQUIRE(trail.size() == 1);
  CHECK(trail[0].action == "quarantined");
  CHECK(trail[0].actor == kDaemonActor);
  CHECK_THAT(trail[0].detail,
             Catch::Contains("confidential, personal-tag") && Catch::Contains("4XyzQ1"));
}

TEST_CASE("the stored record carries envelope and verdict", "[quarantine]") {
  TempDir dir;
  const Quarantine quarantine(settings_in(dir), Quarantine::Create::yes);
  const HoldResult held = hold_sample(quarantine, kRaw, QuarantineSettings::Mode::hold);

  const auto record = quarantine.store().read_record(held.id);
  REQUIRE(record);
  CHECK((*record)["id"] == held.id);
  CHECK((*record)["mode"] == "hold");
  CHECK((*record)["envelope"]["client_ip"] == "10.1.2.3");
  CHECK((*record)["verdict"]["matches"].size() == 4);  // monitor matches are kept here
  CHECK(quarantine.index().find(held.id)->mode == "hold");
  CHECK(to_json(item_from_record(*record)) == to_json(held.item));
}

TEST_CASE("reconcile indexes items that a crash left unindexed", "[quarantine]") {
  TempDir dir;
  const QuarantineSettings settings = settings_in(dir);
  const Quarantine first(settings, Quarantine::Create::yes);
  const HoldResult one = hold_sample(first, kRaw + "one\r\n");
  const HoldResult two = hold_sample(first, kRaw + "two\r\n");

  QuarantineSettings elsewhere = settings;
  elsewhere.index = (dir.path() / "other.sqlite").string();
  const Quarantine second(elsewhere, Quarantine::Create::yes);
  CHECK(second.index().list({}).empty());

  CHECK(second.reconcile() == 2);
  CHECK(second.reconcile() == 0);
  const auto item = second.index().find(one.id);
  REQUIRE(item);
  CHECK(to_json(*item) == to_json(one.item));
  CHECK(second.index().find(two.id));
  CHECK_THAT(second.index().audit(one.id).at(0).detail, Catch::Contains("found in the quarantine"));

  // An item written straight into the directory (the daemon died before indexing it).
  const std::string direct = first.store().write(
      "Subject: x\n\nbody\n", {{"time", "2026-01-01T00:00:00Z"}}, std::chrono::system_clock::now());
  CHECK(first.reconcile() == 1);
  CHECK(first.index().find(direct)->time == "2026-01-01T00:00:00Z");
  CHECK(first.index().list({}).size() == 3);
}

TEST_CASE("reconcile skips an item whose record cannot be read", "[quarantine]") {
  TempDir dir;
  const Quarantine quarantine(settings_in(dir), Quarantine::Create::yes);
  const fs::path broken =
      fs::path(quarantine.settings().directory) / "items" / "20260101-100000-0000beef";
  fs::create_directories(broken);
  std::ofstream(broken / "record.json") << "{not json";

  CHECK(quarantine.reconcile() == 0);
  CHECK_FALSE(quarantine.index().find("20260101-100000-0000beef"));
}

TEST_CASE("a message is kept when indexing fails, and reconcile indexes it later", "[quarantine]") {
  TempDir dir;
  const Quarantine quarantine(settings_in(dir), Quarantine::Create::yes);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(index_path(quarantine.settings()).c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  const auto run = [db](const char* sql) {
    return sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  };
  REQUIRE(run("CREATE TRIGGER no_items BEFORE INSERT ON items "
              "BEGIN SELECT RAISE(ABORT, 'index unavailable'); END") == SQLITE_OK);

  const HoldResult held = hold_sample(quarantine);

  CHECK_THAT(held.index_error, Catch::Contains("index unavailable"));
  CHECK(quarantine.store().read_message(held.id) == kRaw);
  CHECK_FALSE(quarantine.index().find(held.id));
  CHECK(run("DROP TRIGGER no_items") == SQLITE_OK);
  sqlite3_close(db);
  CHECK(quarantine.reconcile() == 1);
  CHECK(quarantine.index().find(held.id));
}

TEST_CASE("an unusable directory or index path throws", "[quarantine]") {
  TempDir dir;
  const std::string file = dir.write("plain-file", "x");
  CHECK_THROWS_AS(MessageStore(file, true), std::system_error);
  CHECK_THROWS_AS(open_sqlite_index((dir.path() / "missing" / "index.sqlite").string()),
                  IndexError);
  QuarantineSettings settings = settings_in(dir);
  settings.index = (dir.path() / "missing" / "index.sqlite").string();
  CHECK_THROWS_AS(Quarantine(settings, Quarantine::Create::yes), IndexError);
}

// =============================================================================================
// Released bytes

TEST_CASE("a released message loses X-AUP-* fields, folded lines included", "[quarantine]") {
  const std::string raw =
      "Received: from pc1\r\n"
      "X-AUP-Action: quarantine\r\n"
      "Subject: hello\r\n"
      " world\r\n"
      "x-aup-rules: r1,\r\n"
      "\tr2\r\n"
      " r3\r\n"
      "From: jo@medway.gov.uk\r\n"
      "X-Aup-Clause: 4.4\r\n"
      "X-AUPLIKE: kept\r\n"
      "To: a@example.org\r\n"
      "\r\n"
      "X-AUP-Foo: a body line\r\n"
      "\r\n"
      "last line\r\n";

  CHECK(released_message(raw, "X-AUP-", "2026-01-01T00:00:00Z; quarantine id x") ==
        "X-AUP-Released: 2026-01-01T00:00:00Z; quarantine id x\r\n"
        "Received: from pc1\r\n"
        "Subject: hello\r\n"
        " world\r\n"
        "From: jo@medway.gov.uk\r\n"
        "X-AUPLIKE: kept\r\n"
        "To: a@example.org\r\n"
        "\r\n"
        "X-AUP-Foo: a body line\r\n"
        "\r\n"
        "last line\r\n");
}

TEST_CASE("a released message works with LF line ends and other prefixes", "[quarantine]") {
  const std::string raw =
      "X-Policy-Tag: yes\n"
      "  folded\n"
      "Subject: s\n"
      "X-AUP-Action: kept, another prefix\n"
      "\n"
      "X-Policy-Tag: body\n";

  CHECK(released_message(raw, "X-Policy-", "v") ==
        "X-Policy-Released: v\n"
        "Subject: s\n"
        "X-AUP-Action: kept, another prefix\n"
        "\n"
        "X-Policy-Tag: body\n");
}

TEST_CASE("a released message keeps a body with NUL bytes byte for byte", "[quarantine]") {
  const std::string body = bytes_of("a\0b\r\nX-AUP-X: y\r\n\r\n");
  const std::string raw = "Subject: s\r\n\r\n" + body;
  CHECK(released_message(raw, "X-AUP-", "v") == "X-AUP-Released: v\r\nSubject: s\r\n\r\n" + body);
}

// =============================================================================================
// Reviewers' decisions

TEST_CASE("remove deletes a held item once", "[quarantine]") {
  TempDir dir;
  const Quarantine quarantine(settings_in(dir), Quarantine::Create::yes);
  const HoldResult held = hold_sample(quarantine);

  const ReviewResult first = remove(quarantine, {held.id, "alice", "personal mail"});
  CHECK(first.outcome == Outcome::done);
  CHECK_FALSE(quarantine.store().contains(held.id));
  CHECK_FALSE(fs::exists(fs::path(quarantine.settings().directory) / "items" / held.id));
  const auto item = quarantine.index().find(held.id);
  REQUIRE(item);
  CHECK(item->status == Status::deleted);
  CHECK_FALSE(item->stored);
  CHECK(item->reviewer == "alice");
  CHECK(item->note == "personal mail");
  CHECK(actions_of(quarantine.index().audit(held.id)) ==
        std::vector<std::string>{"quarantined", "deleted", "removed"});

  const ReviewResult second = remove(quarantine, {held.id, "bob", ""});
  CHECK(second.outcome == Outcome::not_held);
  CHECK_THAT(second.message, Catch::Contains("deleted") && Catch::Contains("alice"));
  CHECK(quarantine.index().find(held.id)->reviewer == "alice");
}

TEST_CASE("remove and release of unknown ids are not found", "[quarantine]") {
  TempDir dir;
  const Quarantine quarantine(settings_in(dir), Quarantine::Create::yes);
  for (const std::string id : {"20000101-000000-00000000", "../x", "a/b", ""}) {
    CAPTURE(id);
    CHECK(remove(quarantine, {id, "alice", ""}).outcome == Outcome::not_found);
    CHECK(release(quarantine, {id, "alice", ""}, "X-AUP-").outcome == Outcome::not_found);
  }
}

TEST_CASE("release to an unreachable relay is deferred and the item stays held", "[quarantine]") {
  TempDir dir;
  QuarantineSettings settings = settings_in(dir);
  settings.release_relay = unused_relay();
  const Quarantine quarantine(settings, Quarantine::Create::yes);
  const HoldResult held = hold_sample(quarantine);

  const ReviewResult result = release(quarantine, {held.id, "alice", "business mail"}, "X-AUP-");

  CHECK(result.outcome == Outcome::relay_deferred);
  CHECK_THAT(result.message, Catch::Contains(settings.release_relay));
  const auto item = quarantine.index().find(held.id);
  REQUIRE(item);
  CHECK(item->status == Status::held);
  CHECK(item->stored);
  CHECK(item->reviewer.empty());
  CHECK(quarantine.store().contains(held.id));
  const auto trail = quarantine.index().audit(held.id);
  CHECK(actions_of(trail) ==
        std::vector<std::string>{"quarantined", "release-started", "release-failed"});
  CHECK(trail.at(1).actor == "alice");
  CHECK(trail.at(1).detail == "business mail");
}

TEST_CASE("release re-injects the cleaned message through the relay", "[quarantine]") {
  TempDir dir;
  FakeSmtpServer relay;
  QuarantineSettings settings = settings_in(dir);
  settings.release_relay = relay.relay();
  settings.release_helo = "aup.test";
  const Quarantine quarantine(settings, Quarantine::Create::yes);
  const HoldResult held = hold_sample(quarantine);

  const ReviewResult result = release(quarantine, {held.id, "alice", "fine"}, "X-AUP-");
  relay.finish();

  CHECK(result.outcome == Outcome::done);
  CHECK(relay.mail_from == "<jo@medway.gov.uk>");
  CHECK(relay.rcpt_to == std::vector<std::string>{"<a@example.org>", "<b@example.org>"});
  CHECK(relay.data.starts_with("X-AUP-Released: "));
  CHECK_THAT(relay.data, Catch::Contains("quarantine id " + held.id));
  CHECK_THAT(relay.data, !Catch::Contains("X-AUP-Action"));
  // Everything after the added field is the stored message less X-AUP-Action, dot-stuffing
  // undone: ".leading dot" arrives as it was.
  const auto first_line_end = relay.data.find("\r\n") + 2;
  std::string expected = kRaw;
  expected.erase(expected.find("X-AUP-Action: quarantine\r\n"),
                 std::string("X-AUP-Action: quarantine\r\n").size());
  CHECK(relay.data.substr(first_line_end) == expected);

  const auto item = quarantine.index().find(held.id);
  REQUIRE(item);
  CHECK(item->status == Status::released);
  CHECK(item->reviewer == "alice");
  CHECK(item->note == "fine");
  CHECK(actions_of(quarantine.index().audit(held.id)) ==
        std::vector<std::string>{"quarantined", "release-started", "released"});
  CHECK(release(quarantine, {held.id, "bob", ""}, "X-AUP-").outcome == Outcome::not_held);
}

TEST_CASE("a relay answering 5xx refuses the release and the item stays held", "[quarantine]") {
  TempDir dir;
  FakeSmtpServer relay("554 5.7.1 not today");
  QuarantineSettings settings = settings_in(dir);
  settings.release_relay = relay.relay();
  const Quarantine quarantine(settings, Quarantine::Create::yes);
  const HoldResult held = hold_sample(quarantine);

  const ReviewResult result = release(quarantine, {held.id, "alice", ""}, "X-AUP-");
  relay.finish();

  CHECK(result.outcome == Outcome::relay_refused);
  CHECK_THAT(result.message, Catch::Contains("554"));
  CHECK(quarantine.index().find(held.id)->status == Status::held);
  CHECK(actions_of(quarantine.index().audit(held.id)).back() == "release-failed");
}

TEST_CASE("an item being released can be neither released nor removed", "[quarantine]") {
  TempDir dir;
  QuarantineSettings settings = settings_in(dir);
  settings.release_relay = unused_relay();
  const Quarantine quarantine(settings, Quarantine::Create::yes);
  const HoldResult held = hold_sample(quarantine);
  REQUIRE(quarantine.index().transition(held.id, {Status::held}, Status::releasing,
                                        audit_entry(held.id, "release-started"), false, ""));

  const ReviewResult released = release(quarantine, {held.id, "bob", ""}, "X-AUP-");
  CHECK(released.outcome == Outcome::not_held);
  CHECK_THAT(released.message, Catch::Contains("being released"));
  CHECK(remove(quarantine, {held.id, "bob", ""}).outcome == Outcome::not_held);
  CHECK(quarantine.store().contains(held.id));
  CHECK(quarantine.index().find(held.id)->status == Status::releasing);
}

TEST_CASE("an interrupted release is retried only on request and only once it is old",
          "[quarantine]") {
  TempDir dir;
  FakeSmtpServer relay;
  QuarantineSettings settings = settings_in(dir);
  settings.release_relay = relay.relay();
  const Quarantine quarantine(settings, Quarantine::Create::yes);
  const HoldResult recent = hold_sample(quarantine, kRaw + "recent\r\n");
  const HoldResult stale = hold_sample(quarantine, kRaw + "stale\r\n");
  // One release started just now (it may still be running), one started long ago and died.
  REQUIRE(quarantine.index().transition(
      recent.id, {Status::held}, Status::releasing,
      audit_entry(recent.id, "release-started", "carol", now_rfc3339()), false, ""));
  REQUIRE(quarantine.index().transition(
      stale.id, {Status::held}, Status::releasing,
      audit_entry(stale.id, "release-started", "carol", "2026-01-01T00:00:00Z"), false, ""));

  CHECK(release(quarantine, {recent.id, "bob", "", true}, "X-AUP-").outcome == Outcome::not_held);
  CHECK(quarantine.index().find(recent.id)->status == Status::releasing);

  const ReviewResult retried = release(quarantine, {stale.id, "bob", "again", true}, "X-AUP-");
  relay.finish();
  CHECK(retried.outcome == Outcome::done);
  CHECK(quarantine.index().find(stale.id)->status == Status::released);
  CHECK(actions_of(quarantine.index().audit(stale.id)) ==
        std::vector<std::string>{"quarantined", "release-started", "release-interrupted",
                                 "release-started", "released"});
}

TEST_CASE("purge expires held items and removes stored copies, keeping the audit trail",
          "[quarantine]") {
  TempDir dir;
  const Quarantine quarantine(settings_in(dir), Quarantine::Create::yes);
  Index& index = quarantine.index();
  const std::string held = hold_sample(quarantine, kRaw + "1\r\n").id;
  const std::string deleted = hold_sample(quarantine, kRaw + "2\r\n").id;
  const std::string released = hold_sample(quarantine, kRaw + "3\r\n").id;
  REQUIRE(remove(quarantine, {deleted, "alice", ""}).outcome == Outcome::done);
  REQUIRE(index.transition(released, {Status::held}, Status::released,
                           audit_entry(released, "released", "bob"), true, ""));

  const PurgeResult past = purge(quarantine, "2000-01-01T00:00:00Z", "retention");
  CHECK(past.expired == 0);
  CHECK(past.purged == 0);
  CHECK(quarantine.store().contains(held));

  const std::string cutoff =
      format_rfc3339(std::chrono::system_clock::now() + std::chrono::hours(1));
  const PurgeResult result = purge(quarantine, cutoff, "retention");

  CHECK(result.problems.empty());
  CHECK(result.expired == 1);
  CHECK(result.purged == 1);
  const auto expired = index.find(held);
  CHECK(expired->status == Status::expired);
  CHECK_FALSE(expired->stored);
  CHECK(expired->reviewer == "retention");
  CHECK_FALSE(quarantine.store().contains(held));
  CHECK(index.find(released)->status == Status::released);
  CHECK(index.find(released)->reviewer == "bob");
  CHECK_FALSE(index.find(released)->stored);
  CHECK_FALSE(quarantine.store().contains(released));
  CHECK(index.find(deleted)->status == Status::deleted);
  CHECK(quarantine.store().ids().empty());

  CHECK(actions_of(index.audit(held)) ==
        std::vector<std::string>{"quarantined", "expired", "purged"});
  CHECK(actions_of(index.audit(released)) ==
        std::vector<std::string>{"quarantined", "released", "purged"});
  CHECK(actions_of(index.audit(deleted)) ==
        std::vector<std::string>{"quarantined", "deleted", "removed"});

  const PurgeResult again = purge(quarantine, cutoff, "retention");
  CHECK(again.expired == 0);
  CHECK(again.purged == 0);
  CHECK(index.audit(std::nullopt).size() == 9);
}

// =============================================================================================
// Sender notices and SMTP text

namespace {

struct NoticeSetup {
  Settings settings;
  QuarantineSettings quarantine;
};

NoticeSetup notice_settings() {
  NoticeSetup setup;
  setup.settings.organisation = "Medway Council";
  setup.settings.internal_domains = {"medway.gov.uk"};
  setup.quarantine.release_relay = "127.0.0.1:10026";
  setup.quarantine.notice.enabled = true;
  return setup;
}

std::optional<SmtpSubmission> sender_notice(const NoticeSetup& setup, const Item& item,
                                            const Verdict& verdict) {
  return aup::quarantine::sender_notice(setup.settings, setup.quarantine, item, verdict);
}

Item notice_item(const std::string& sender) {
  Item item = make_item("20261128-142501-1a2b3c4d", "2026-11-28T14:25:01Z", sender,
                        {"confidential", "personal-tag"});
  item.subject = "Quarterly figures";
  return item;
}

}  // namespace

TEST_CASE("no sender notice when notices are off", "[quarantine]") {
  NoticeSetup settings = notice_settings();
  settings.quarantine.notice.enabled = false;
  CHECK_FALSE(sender_notice(settings, notice_item("jo@medway.gov.uk"), sample_verdict()));
}

TEST_CASE("an internal sender is told what was held and why", "[quarantine]") {
  const Item item = notice_item("jo@medway.gov.uk");
  const auto notice = sender_notice(notice_settings(), item, sample_verdict());

  REQUIRE(notice);
  CHECK(notice->sender.empty());  // the null sender: a notice never loops
  CHECK(notice->recipients == std::vector<std::string>{"jo@medway.gov.uk"});
  CHECK(notice->relay == "127.0.0.1:10026");
  CHECK_THAT(notice->data, Catch::Contains("Auto-Submitted: auto-replied"));
  CHECK_THAT(notice->data, Catch::Contains("To: jo@medway.gov.uk"));
  CHECK_THAT(notice->data, Catch::Contains("postmaster@medway.gov.uk"));
  CHECK_THAT(notice->data, Catch::Contains(item.id));
  CHECK_THAT(notice->data, Catch::Contains("policy clause 4.4 (confidential)"));
  CHECK_THAT(notice->data, Catch::Contains("policy clause 4.2 (personal-tag)"));
  CHECK_THAT(notice->data, !Catch::Contains("trial-rule"));  // monitor matches are not told
  CHECK_THAT(notice->data, Catch::Contains("Quarterly figures"));
}

TEST_CASE("notices go to subdomains and any case, never outside", "[quarantine]") {
  const NoticeSetup settings = notice_settings();
  CHECK(sender_notice(settings, notice_item("kim@hr.medway.gov.uk"), sample_verdict()));
  CHECK(sender_notice(settings, notice_item("Jo@MEDWAY.GOV.UK"), sample_verdict()));
  CHECK_FALSE(sender_notice(settings, notice_item("x@example.org"), sample_verdict()));
  CHECK_FALSE(sender_notice(settings, notice_item("x@notmedway.gov.uk"), sample_verdict()));
  CHECK_FALSE(sender_notice(settings, notice_item(""), sample_verdict()));
}

TEST_CASE("the same message offered again is kept once - a different one is not", "[quarantine]") {
  TempDir dir;
  const Quarantine quarantine(settings_in(dir), Quarantine::Create::yes);
  const HoldResult first = hold_sample(quarantine);
  const HoldResult again = hold_sample(quarantine);
  CHECK_FALSE(first.offered_again);
  CHECK(again.offered_again);
  CHECK(again.id == first.id);
  CHECK(quarantine.store().ids().size() == 1);
  CHECK(actions_of(quarantine.index().audit(first.id)) ==
        std::vector<std::string>{"quarantined", "offered-again"});
  // Another body, or the first one decided: stored as a new item.
  CHECK_FALSE(hold_sample(quarantine, kRaw + "more\r\n").offered_again);
  REQUIRE(remove(quarantine, {first.id, "alice", ""}).outcome == Outcome::done);
  const HoldResult after_decision = hold_sample(quarantine);
  CHECK_FALSE(after_decision.offered_again);
  CHECK(after_decision.id != first.id);
  // In hold mode every offer is its own entry in the MTA's hold queue.
  const HoldResult held_once = hold_sample(quarantine, kRaw, QuarantineSettings::Mode::hold);
  CHECK_FALSE(held_once.offered_again);
  // Without a Message-ID identical messages may be separate ones: each is kept.
  const Envelope envelope = sample_envelope();
  const Verdict verdict = sample_verdict();
  const HoldRequest anonymous{kRaw, envelope, verdict, "4Q2", "s", QuarantineSettings::Mode::store};
  CHECK_FALSE(quarantine.hold(anonymous).offered_again);
  CHECK_FALSE(quarantine.hold(anonymous).offered_again);
}

TEST_CASE("addresses that could smuggle SMTP commands are refused before sending", "[quarantine]") {
  FakeSmtpServer relay;
  SmtpSubmission submission;
  submission.relay = relay.relay();
  submission.sender = "jo@medway.gov.uk";
  submission.data = "Subject: x\r\n\r\nbody\r\n";
  const std::vector<std::string> unsafe = {"b@y.org>\r\nRSET\r\nRCPT TO:<evil@z.org", "a@b.c\nx",
                                           std::string("a@b\0c", 5), "<a@b.c>"};
  for (const std::string& bad : unsafe) {
    submission.recipients = {"ok@example.org", bad};
    const SmtpOutcome outcome = submit_by_smtp(submission);
    CHECK_FALSE(outcome.delivered);
    CHECK_FALSE(outcome.temporary);
    CHECK_THAT(outcome.reply, Catch::Contains("unsafe"));
  }
  submission.recipients = {"ok@example.org"};
  submission.sender = "jo@medway.gov.uk>\r\nRSET";
  CHECK_THAT(submit_by_smtp(submission).reply, Catch::Contains("unsafe sender"));
  relay.finish();
  CHECK(relay.rcpt_to.empty());
}

TEST_CASE("with_crlf turns LF into CRLF and leaves CRLF alone", "[quarantine]") {
  CHECK(with_crlf("a\nb\r\nc\n") == "a\r\nb\r\nc\r\n");
  CHECK(with_crlf("\n\n") == "\r\n\r\n");
  CHECK(with_crlf("\r\n\r\n") == "\r\n\r\n");
  CHECK(with_crlf("no line end") == "no line end");
  CHECK(with_crlf("lone\rcr") == "lone\rcr");
  CHECK(with_crlf("").empty());
}

// =============================================================================================
// Keeping held, and why it was held after the stored copy is gone

TEST_CASE("keep-held sent twice records one entry; a new note or an approval makes it new",
          "[quarantine]") {
  TempDir dir;
  const Quarantine quarantine(settings_in(dir), Quarantine::Create::yes);
  const std::string id = hold_sample(quarantine).id;
  const auto kept = [&] {
    std::vector<std::string> notes;
    for (const AuditEntry& entry : quarantine.index().audit(id)) {
      if (entry.action == "kept-held") notes.push_back(entry.actor + ": " + entry.detail);
    }
    return notes;
  };

  const ReviewResult first = keep_held(quarantine, {id, "alice", "ask the sender"});
  CHECK(first.outcome == Outcome::done);
  const ReviewResult again = keep_held(quarantine, {id, "alice", "ask the sender"});
  CHECK(again.outcome == Outcome::done);
  CHECK_THAT(again.message, Catch::Contains("already kept held") && Catch::Contains("nothing"));
  CHECK(kept() == std::vector<std::string>{"alice: ask the sender"});

  CHECK(keep_held(quarantine, {id, "bob", "ask the sender"}).outcome == Outcome::done);
  CHECK(keep_held(quarantine, {id, "alice", "sender asked"}).outcome == Outcome::done);
  CHECK(kept().size() == 3);
  // An approval to release is cancelled only by a fresh entry: the same note counts again.
  quarantine.index().append_audit(audit_entry(id, "release-approved", "carol"));
  keep_held(quarantine, {id, "alice", "ask the sender"});
  CHECK(kept().size() == 4);
  CHECK(quarantine.index().find(id)->status == Status::held);

  REQUIRE(remove(quarantine, {id, "alice", ""}).outcome == Outcome::done);
  CHECK(keep_held(quarantine, {id, "alice", "too late"}).outcome == Outcome::not_held);
  CHECK(keep_held(quarantine, {"no-such-id", "alice", "x"}).outcome == Outcome::not_found);
  CHECK(kept().size() == 4);
}

TEST_CASE("keep-held sent by many threads at once is recorded once", "[quarantine]") {
  TempDir dir;
  const Quarantine quarantine(settings_in(dir), Quarantine::Create::yes);
  const std::string id = hold_sample(quarantine).id;
  std::latch start(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      const Quarantine own(settings_in(dir), Quarantine::Create::no);  // its own connection
      start.arrive_and_wait();
      keep_held(own, {id, "alice", "double click"});
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  const auto trail = actions_of(quarantine.index().audit(id));
  CHECK(std::count(trail.begin(), trail.end(), "kept-held") == 1);
}

TEST_CASE("why it was held stays after delete and purge", "[quarantine]") {
  TempDir dir;
  const Quarantine quarantine(settings_in(dir), Quarantine::Create::yes);
  const std::string deleted = hold_sample(quarantine, kRaw + "1\r\n").id;
  const std::string expired = hold_sample(quarantine, kRaw + "2\r\n").id;
  REQUIRE(remove(quarantine, {deleted, "alice", "personal"}).outcome == Outcome::done);
  purge(quarantine, "2999-01-01T00:00:00Z", "retention");
  for (const std::string& id : {deleted, expired}) {
    const auto item = quarantine.index().find(id);
    REQUIRE(item);
    REQUIRE_FALSE(quarantine.store().read_record(id));  // the record went with the message
    const auto view = review::review_view(*item, std::nullopt, std::nullopt, {});
    REQUIRE(view["why"].size() == 4);
    CHECK(view["why"][0]["rule"] == "confidential");
    CHECK(view["why"][0]["matched"] == "Confidential");
    CHECK(view["why"][3]["mode"] == "monitor");
    CHECK_THAT(review::review_text(view), Catch::Contains("rule confidential"));
  }
}

TEST_CASE("an index made before matches were kept gains the column and still opens",
          "[quarantine]") {
  TempDir dir;
  const std::string path = (dir.path() / "old.sqlite").string();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "CREATE TABLE items (id TEXT PRIMARY KEY, time TEXT NOT NULL, "
                       "queue_id TEXT NOT NULL DEFAULT '', mode TEXT NOT NULL DEFAULT 'store', "
                       "sender TEXT NOT NULL DEFAULT '', recipients TEXT NOT NULL DEFAULT '[]', "
                       "subject TEXT NOT NULL DEFAULT '', direction TEXT NOT NULL DEFAULT '', "
                       "rules TEXT NOT NULL DEFAULT '[]', clauses TEXT NOT NULL DEFAULT '[]', "
                       "size INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'held', "
                       "reviewer TEXT NOT NULL DEFAULT '', decision_time TEXT NOT NULL DEFAULT "
                       "'', note TEXT NOT NULL DEFAULT '', stored INTEGER NOT NULL DEFAULT 1, "
                       "fingerprint TEXT NOT NULL DEFAULT '');"
                       "INSERT INTO items (id, time) VALUES ('old-1', '2026-01-01T00:00:00Z');",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);

  const auto index = open_sqlite_index(path, false);
  const auto old = index->find("old-1");
  REQUIRE(old);
  CHECK(old->matches == nlohmann::json::array());
  Item fresh = make_item("new-1", "2026-01-02T00:00:00Z");
  fresh.matches = nlohmann::json::array({{{"rule", "r1"}, {"detail", "why"}}});
  REQUIRE(index->add(fresh, audit_entry("new-1", "quarantined")));
  CHECK(open_sqlite_index(path, false)->find("new-1")->matches == fresh.matches);
}
