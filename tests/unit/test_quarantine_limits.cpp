// The quarantine under a hostile environment: a hand-started daemon's umask, and an index that
// another process keeps locked while held messages arrive.
#include <sqlite3.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "quarantine/quarantine.hpp"
#include "test_helpers.hpp"

using namespace aup;
using namespace aup::quarantine;
using aup::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kHeld =
    "From: Jo <jo@medway.gov.uk>\r\n"
    "To: a@example.org\r\n"
    "Subject: Figures\r\n"
    "\r\n"
    "OFFICIAL-SENSITIVE figures.\r\n";

QuarantineSettings settings_under(const TempDir& dir) {
  QuarantineSettings settings;
  settings.directory = (dir.path() / "quarantine").string();
  return settings;
}

HoldResult hold_one(const Quarantine& quarantine, const std::string& body) {
  Envelope envelope;
  envelope.sender = "jo@medway.gov.uk";
  envelope.recipients = {"a@example.org"};
  Verdict verdict;
  verdict.action = Action::quarantine;
  verdict.direction = Direction::outbound;
  verdict.matches = {{"marking", "4.4", Action::quarantine, Mode::enforce, "body", "OFFICIAL"}};
  const std::string raw = kHeld + body + "\r\n";
  return quarantine.hold({raw, envelope, verdict, "Q1", "Figures", QuarantineSettings::Mode::store,
                          "<" + body + "@medway.gov.uk>"});
}

mode_t mode_of(const fs::path& path) {
  struct stat status {};
  REQUIRE(::stat(path.c_str(), &status) == 0);
  return status.st_mode & 07777;
}

// Sets the process umask for one test and puts the old one back.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : previous_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(previous_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t previous_;
};

// Another process's connection holding the write lock until it is destroyed.
class WriteLock {
 public:
  explicit WriteLock(const std::string& path) {
    REQUIRE(sqlite3_open(path.c_str(), &db_) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  ~WriteLock() {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
  }
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

TEST_CASE("the quarantine is group-writable whatever the umask it is created under",
          "[quarantine][limits]") {
  const mode_t mask = GENERATE(mode_t{022}, mode_t{077});
  ScopedUmask scoped(mask);
  TempDir dir;
  const Quarantine quarantine(settings_under(dir), Quarantine::Create::yes);
  const HoldResult held = hold_one(quarantine, "one");

  const fs::path top = quarantine.settings().directory;
  CHECK(mode_of(top) == 0770);
  CHECK(mode_of(top / "items") == 0770);
  CHECK(mode_of(top / "tmp") == 0770);
  CHECK(mode_of(top / "items" / held.id) == 0770);
  CHECK(mode_of(index_path(quarantine.settings())) == 0660);
  CHECK(mode_of(top / "items" / held.id / "message.eml") == 0640);
  CHECK(mode_of(top / "items" / held.id / "record.json") == 0640);
}

TEST_CASE("an existing index keeps the mode its administrator gave it", "[quarantine][limits]") {
  TempDir dir;
  const QuarantineSettings settings = settings_under(dir);
  { const Quarantine first(settings, Quarantine::Create::yes); }
  fs::permissions(index_path(settings), fs::perms(0600));
  const Quarantine again(settings, Quarantine::Create::yes);
  CHECK(mode_of(index_path(settings)) == 0600);
}

TEST_CASE("held messages arriving while another process locks the index are stored in time",
          "[quarantine][limits]") {
  TempDir dir;
  const auto wait = std::chrono::milliseconds(300);
  const Quarantine quarantine(settings_under(dir), Quarantine::Create::yes, wait);
  constexpr int kMessages = 20;
  std::vector<HoldResult> results(kMessages);
  std::vector<std::chrono::milliseconds> took(kMessages);
  {
    const WriteLock reviewer(index_path(quarantine.settings()));
    std::vector<std::thread> arrivals;
    for (int i = 0; i < kMessages; ++i) {
      arrivals.emplace_back([&, i] {
        const auto start = std::chrono::steady_clock::now();
        results[i] = hold_one(quarantine, "message " + std::to_string(i));
        took[i] = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
      });
    }
    for (std::thread& arrival : arrivals)
      arrival.join();
  }
  // Each gives up on the index after at most the mutex wait plus SQLite's wait, per step
  // (the duplicate check, then the entry); queued one behind another it would take 20 times
  // that. The bound leaves room for a slow machine.
  for (int i = 0; i < kMessages; ++i) {
    INFO("message " << i << " took " << took[i].count() << " ms");
    CHECK(took[i] < 6 * wait);
    CHECK_FALSE(results[i].index_error.empty());
    CHECK(quarantine.store().read_message(results[i].id));
  }
  CHECK(quarantine.store().ids().size() == kMessages);
  CHECK(quarantine.reconcile() == kMessages);
  CHECK(quarantine.index().list({}).size() == kMessages);
}

TEST_CASE("a thread waiting for the index connection gives up with IndexError",
          "[quarantine][limits]") {
  TempDir dir;
  const auto index = open_sqlite_index((dir.path() / "index.sqlite").string(), true,
                                       std::chrono::milliseconds(200));
  const WriteLock reviewer((dir.path() / "index.sqlite").string());
  Item item;
  item.id = "20260101-000000-00000001";
  item.time = "2026-01-01T00:00:00Z";
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(index->add(item, {item.time, item.id, "t", "quarantined", "x"}), IndexError);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}
