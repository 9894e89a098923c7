// The SQLite quarantine index. One connection per Index object, guarded by a lock: the daemon
// shares one between its threads, and each aupctl run has its own. Writers in other processes
// wait up to the busy timeout; every change is one IMMEDIATE transaction.
#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <chrono>
#include <thread>

#include "quarantine/bounded_lock.hpp"
#include "quarantine/index.hpp"

namespace aup::quarantine {
namespace {

// Envelope addresses and rule details come from the message: never refuse to index an item
// because a byte in them is not UTF-8.
std::string json_text(const std::vector<std::string>& values) {
  return nlohmann::json(values).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS items (
  id TEXT PRIMARY KEY,
  time TEXT NOT NULL,
  queue_id TEXT NOT NULL DEFAULT '',
  mode TEXT NOT NULL DEFAULT 'store',
  sender TEXT NOT NULL DEFAULT '',
  recipients TEXT NOT NULL DEFAULT '[]',
  subject TEXT NOT NULL DEFAULT '',
  direction TEXT NOT NULL DEFAULT '',
  rules TEXT NOT NULL DEFAULT '[]',
  clauses TEXT NOT NULL DEFAULT '[]',
  size INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'held',
  reviewer TEXT NOT NULL DEFAULT '',
  decision_time TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  stored INTEGER NOT NULL DEFAULT 1,
  fingerprint TEXT NOT NULL DEFAULT '',
  matches TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS items_fingerprint ON items(fingerprint);
CREATE INDEX IF NOT EXISTS items_time ON items(time);
CREATE INDEX IF NOT EXISTS items_status ON items(status, time);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  item_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_item ON audit(item_id, seq);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
)sql";

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK) {
      throw IndexError(fmt::format("quarantine index: {}", sqlite3_errmsg(db)));
    }
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const std::string& text) {
    check(sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                            SQLITE_TRANSIENT));
    return *this;
  }
  // Nothing: binds NULL, which the queries read as "no filter".
  Statement& bind(int index, const std::optional<std::string>& text) {
    if (text) return bind(index, *text);
    check(sqlite3_bind_null(statement_, index));
    return *this;
  }
  Statement& bind(int index, int64_t number) {
    check(sqlite3_bind_int64(statement_, index, number));
    return *this;
  }

  // True while there is a row to read.
  bool step() {
    const int result = sqlite3_step(statement_);
    if (result == SQLITE_ROW) return true;
    if (result == SQLITE_DONE) return false;
    throw IndexError(fmt::format("quarantine index: {}", sqlite3_errmsg(db_)));
  }

  std::string text(int column) const {
    const auto* bytes = sqlite3_column_text(statement_, column);
    return bytes == nullptr
               ? std::string()
               : std::string(reinterpret_cast<const char*>(bytes),
                             static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
  }
  int64_t number(int column) const { return sqlite3_column_int64(statement_, column); }

 private:
  void check(int result) const {
    if (result != SQLITE_OK) {
      throw IndexError(fmt::format("quarantine index: {}", sqlite3_errmsg(db_)));
    }
  }

  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

std::vector<std::string> json_strings(const std::string& text) {
  const auto parsed = nlohmann::json::parse(text, nullptr, false);
  std::vector<std::string> out;
  if (!parsed.is_array()) return out;
  for (const auto& value : parsed) {
    if (value.is_string()) out.push_back(value.get<std::string>());
  }
  return out;
}

constexpr const char* kItemColumns =
    "id, time, queue_id, mode, sender, recipients, subject, direction, rules, clauses, size, "
    "status, reviewer, decision_time, note, stored, fingerprint, matches";

Item item_from(const Statement& row) {
  Item item;
  item.id = row.text(0);
  item.time = row.text(1);
  item.queue_id = row.text(2);
  item.mode = row.text(3);
  item.sender = row.text(4);
  item.recipients = json_strings(row.text(5));
  item.subject = row.text(6);
  item.direction = row.text(7);
  item.rules = json_strings(row.text(8));
  item.clauses = json_strings(row.text(9));
  item.size = static_cast<size_t>(row.number(10));
  item.status = parse_status(row.text(11)).value_or(Status::held);
  item.reviewer = row.text(12);
  item.decision_time = row.text(13);
  item.note = row.text(14);
  item.stored = row.number(15) != 0;
  item.fingerprint = row.text(16);
  auto matches = nlohmann::json::parse(row.text(17), nullptr, false);
  if (matches.is_array()) item.matches = std::move(matches);
  return item;
}

// SQLite would create the file 0644: make it first, group-writable whatever the umask (SQLite
// gives its -wal and -shm files the database's mode). An existing file keeps its mode.
void create_group_writable(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0660);
  const bool created = fd >= 0;
  if (!created && errno == EEXIST) fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0 || (created && ::fchmod(fd, 0660) != 0)) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    throw IndexError(
        fmt::format("cannot create quarantine index {}: {}", path, std::strerror(error)));
  }
  ::close(fd);
}

class SqliteIndex final : public Index {
 public:
  SqliteIndex(const std::string& path, bool create, std::chrono::milliseconds wait) : wait_(wait) {
    if (create) create_group_writable(path);
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw IndexError(fmt::format("cannot open quarantine index {}: {}", path, why));
    }
    sqlite3_busy_timeout(db_, static_cast<int>(wait_.count()));
    try {
      enter_wal_mode();
      execute("PRAGMA synchronous=FULL");
      execute(kSchema);
      add_matches_column();
    } catch (...) {
      sqlite3_close(db_);
      throw;
    }
  }
  ~SqliteIndex() override { sqlite3_close(db_); }
  SqliteIndex(const SqliteIndex&) = delete;
  SqliteIndex& operator=(const SqliteIndex&) = delete;

  bool add(const Item& item, const AuditEntry& entry) override {
    const auto lock = take_connection();
    Transaction transaction(*this);
    Statement insert(db_, fmt::format("INSERT OR IGNORE INTO items ({}) VALUES "
                                      "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                      kItemColumns));
    insert.bind(1, item.id).bind(2, item.time).bind(3, item.queue_id).bind(4, item.mode);
    insert.bind(5, item.sender).bind(6, json_text(item.recipients));
    insert.bind(7, item.subject).bind(8, item.direction);
    insert.bind(9, json_text(item.rules)).bind(10, json_text(item.clauses));
    insert.bind(11, static_cast<int64_t>(item.size)).bind(12, std::string(to_string(item.status)));
    insert.bind(13, item.reviewer).bind(14, item.decision_time).bind(15, item.note);
    insert.bind(16, int64_t{item.stored ? 1 : 0}).bind(17, item.fingerprint);
    insert.bind(18, item.matches.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    insert.step();
    if (sqlite3_changes(db_) == 0) return false;
    insert_audit(entry);
    transaction.commit();
    return true;
  }

  std::optional<Item> find(const std::string& id) override {
    const auto lock = take_connection();
    Statement query(db_, fmt::format("SELECT {} FROM items WHERE id = ?", kItemColumns));
    query.bind(1, id);
    if (!query.step()) return std::nullopt;
    return item_from(query);
  }

  std::vector<Item> list(const ListFilter& filter) override {
    const auto lock = take_connection();
    Statement query(db_,
                    fmt::format("SELECT {} FROM items WHERE (?1 IS NULL OR status IN "
                                "(SELECT value FROM json_each(?1))) "
                                "AND (?2 IS NULL OR time >= ?2) AND (?3 IS NULL OR time < ?3) "
                                "AND (?4 IS NULL OR EXISTS (SELECT 1 FROM json_each(items.rules) "
                                "WHERE value = ?4)) AND (?5 IS NULL OR lower(sender) = lower(?5)) "
                                "AND (?6 IS NULL OR fingerprint = ?6) "
                                "ORDER BY time DESC, id DESC",
                                kItemColumns));
    std::optional<std::string> statuses;
    if (!filter.statuses.empty()) {
      nlohmann::json names = nlohmann::json::array();
      for (const Status status : filter.statuses)
        names.push_back(to_string(status));
      statuses = names.dump();
    }
    query.bind(1, statuses);
    query.bind(2, filter.since).bind(3, filter.before);
    query.bind(4, filter.rule).bind(5, filter.sender).bind(6, filter.fingerprint);
    std::vector<Item> items;
    while (query.step())
      items.push_back(item_from(query));
    return items;
  }

  bool transition(const std::string& id, const std::vector<Status>& from, Status to,
                  const AuditEntry& entry, bool decides, const std::string& note) override {
    const auto lock = take_connection();
    Transaction transaction(*this);
    Statement current(db_, "SELECT status FROM items WHERE id = ?");
    current.bind(1, id);
    if (!current.step()) return false;
    const auto status = parse_status(current.text(0));
    if (!status || std::find(from.begin(), from.end(), *status) == from.end()) return false;
    Statement update(db_, decides ? "UPDATE items SET status = ?2, reviewer = ?3, "
                                    "decision_time = ?4, note = ?5 WHERE id = ?1"
                                  : "UPDATE items SET status = ?2 WHERE id = ?1");
    update.bind(1, id).bind(2, std::string(to_string(to)));
    if (decides) update.bind(3, entry.actor).bind(4, entry.time).bind(5, note);
    update.step();
    insert_audit(entry);
    transaction.commit();
    return true;
  }

  void mark_removed(const std::string& id, const AuditEntry& entry) override {
    const auto lock = take_connection();
    Transaction transaction(*this);
    Statement update(db_, "UPDATE items SET stored = 0 WHERE id = ?");
    update.bind(1, id).step();
    insert_audit(entry);
    transaction.commit();
  }

  void append_audit(const AuditEntry& entry) override {
    const auto lock = take_connection();
    insert_audit(entry);
  }

  bool append_audit_once(const AuditEntry& entry, const std::vector<std::string>& since) override {
    const auto lock = take_connection();
    // One statement: SQLite runs it under one write lock, so no second writer slips in between.
    Statement insert(db_,
                     "INSERT INTO audit (time, item_id, actor, action, detail) "
                     "SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM audit WHERE "
                     "item_id = ?2 AND actor = ?3 AND action = ?4 AND detail = ?5 AND seq > "
                     "(SELECT coalesce(max(seq), 0) FROM audit WHERE item_id = ?2 AND action IN "
                     "(SELECT value FROM json_each(?6))))");
    insert.bind(1, entry.time).bind(2, entry.item_id).bind(3, entry.actor);
    insert.bind(4, entry.action).bind(5, entry.detail).bind(6, json_text(since)).step();
    return sqlite3_changes(db_) != 0;
  }

  std::vector<AuditEntry> audit(const std::optional<std::string>& id) override {
    const auto lock = take_connection();
    Statement query(db_,
                    "SELECT time, item_id, actor, action, detail FROM audit "
                    "WHERE (?1 IS NULL OR item_id = ?1) ORDER BY seq");
    query.bind(1, id);
    std::vector<AuditEntry> entries;
    while (query.step()) {
      entries.push_back(
          {query.text(0), query.text(1), query.text(2), query.text(3), query.text(4)});
    }
    return entries;
  }

 private:
  // BEGIN IMMEDIATE takes the write lock up front, so two writers wait (busy timeout) instead
  // of failing on a lock upgrade. Rolled back unless committed.
  class Transaction {
   public:
    explicit Transaction(SqliteIndex& index) : index_(index) { index_.execute("BEGIN IMMEDIATE"); }
    ~Transaction() {
      if (!done_) sqlite3_exec(index_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
      index_.execute("COMMIT");
      done_ = true;
    }

   private:
    SqliteIndex& index_;
    bool done_ = false;
  };

  // Switching a new file to WAL needs an exclusive lock and does not wait on the busy handler:
  // two processes opening a fresh index at once would fail. Retry within the busy timeout.
  void enter_wal_mode() {
    const auto deadline = std::chrono::steady_clock::now() + wait_;
    for (;;) {
      const int result = sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
      if (result == SQLITE_OK) return;
      if ((result != SQLITE_BUSY && result != SQLITE_LOCKED) ||
          std::chrono::steady_clock::now() > deadline) {
        throw IndexError(fmt::format("quarantine index: {}", sqlite3_errmsg(db_)));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // Indexes made before the matches column get it (empty: the reasons were not kept then).
  // Another process may add it at the same moment: then the column is there, which suffices.
  void add_matches_column() {
    if (has_matches_column()) return;
    if (sqlite3_exec(db_, "ALTER TABLE items ADD COLUMN matches TEXT NOT NULL DEFAULT '[]'",
                     nullptr, nullptr, nullptr) != SQLITE_OK &&
        !has_matches_column()) {
      throw IndexError(fmt::format("quarantine index: {}", sqlite3_errmsg(db_)));
    }
  }

  bool has_matches_column() {
    Statement column(db_, "SELECT 1 FROM pragma_table_info('items') WHERE name = 'matches'");
    return column.step();
  }

  void execute(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string why = error != nullptr ? error : sqlite3_errmsg(db_);
      sqlite3_free(error);
      throw IndexError(fmt::format("quarantine index: {}", why));
    }
  }

  void insert_audit(const AuditEntry& entry) {
    Statement insert(db_,
                     "INSERT INTO audit (time, item_id, actor, action, detail) "
                     "VALUES (?, ?, ?, ?, ?)");
    insert.bind(1, entry.time).bind(2, entry.item_id).bind(3, entry.actor);
    insert.bind(4, entry.action).bind(5, entry.detail).step();
  }

  sqlite3* db_ = nullptr;
  // The connection is one thread's at a time. A thread waits for it no longer than SQLite waits
  // for another process's lock: with the index locked elsewhere, twenty held messages at once
  // each give up after about twice `wait_`, instead of queueing behind each other.
  BoundedLock::Turn take_connection() {
    if (!connection_.take(wait_)) {
      throw IndexError("quarantine index busy: another thread kept it");
    }
    return BoundedLock::Turn(connection_);
  }

  std::chrono::milliseconds wait_;
  BoundedLock connection_;
};

}  // namespace

std::unique_ptr<Index> open_sqlite_index(const std::string& path, bool create,
                                         std::chrono::milliseconds wait) {
  return std::make_unique<SqliteIndex>(path, create, wait);
}

}  // namespace aup::quarantine
