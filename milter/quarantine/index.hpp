// The quarantine index: one row per held message and an append-only audit trail. An interface,
// so that several MTAs can later share one index in PostgreSQL; SQLite is the embedded default.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "quarantine/item.hpp"

namespace aup::quarantine {

// Any failure of the index (cannot open, disk full, locked too long). Callers decide the
// verdict: the daemon logs it (the stored message is the truth), aupctl reports it.
class IndexError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Index {
 public:
  virtual ~Index() = default;

  // Adds the item with its first audit entry; an id already indexed is left alone (false).
  virtual bool add(const Item& item, const AuditEntry& entry) = 0;
  virtual std::optional<Item> find(const std::string& id) = 0;
  // Newest first.
  virtual std::vector<Item> list(const ListFilter& filter) = 0;

  // Moves the item to `to` if its status is one of `from`, and records `entry`, atomically.
  // False when the status was not in `from`: somebody else decided first. With `decides`,
  // the entry's actor, time and `note` become the item's reviewer, decision time and note.
  virtual bool transition(const std::string& id, const std::vector<Status>& from, Status to,
                          const AuditEntry& entry, bool decides, const std::string& note) = 0;
  // Records that the message bytes are gone from the directory.
  virtual void mark_removed(const std::string& id, const AuditEntry& entry) = 0;

  virtual void append_audit(const AuditEntry& entry) = 0;
  // Appends `entry` unless the trail already has the same one (item, actor, action, detail) after
  // the item's last entry whose action is in `since`: a repeat that says nothing new. Atomic, so
  // a form sent twice at once is recorded once. False when it was a repeat.
  virtual bool append_audit_once(const AuditEntry& entry,
                                 const std::vector<std::string>& since) = 0;
  // Oldest first; every item's entries when id is empty.
  virtual std::vector<AuditEntry> audit(const std::optional<std::string>& id) = 0;
};

// How long a reviewer's tool waits for an index another process has locked.
inline constexpr std::chrono::milliseconds kReviewerIndexWait{15000};

// Opens a SQLite index, with `create` making the file (mode 0660: reviewers in the daemon's
// group write decisions; SQLite gives its WAL files the same mode): WAL journal, triggers that
// make the audit table append-only, and `wait` as the longest wait for a lock, another
// process's or another thread's; past it an operation throws IndexError.
std::unique_ptr<Index> open_sqlite_index(const std::string& path, bool create = true,
                                         std::chrono::milliseconds wait = kReviewerIndexWait);

}  // namespace aup::quarantine
