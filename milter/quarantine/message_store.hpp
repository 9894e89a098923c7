// The quarantine directory. Each held message is a directory items/ID holding message.eml (the
// bytes as received) and record.json (envelope, verdict, summary). It is written in tmp/, every
// file and the directory fsynced, then renamed into items/ in one step: an item is either
// complete or absent, whatever moment the process dies.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace aup::quarantine {

class MessageStore {
 public:
  // With `create`, makes directory, items/ and tmp/ when missing (mode 0770: reviewers in the
  // daemon's group delete items). Throws std::system_error, also when they are missing and
  // not to be created.
  MessageStore(std::string directory, bool create);

  // Writes one item durably and returns its id ("20261128-142501-1a2b3c4d"). Throws
  // std::system_error when any step fails; nothing is then visible under items/.
  std::string write(std::string_view message, const nlohmann::ordered_json& record,
                    std::chrono::system_clock::time_point time) const;

  std::optional<std::string> read_message(const std::string& id) const;
  std::optional<nlohmann::json> read_record(const std::string& id) const;
  bool contains(const std::string& id) const;
  // Removes an item's directory; true if it is gone afterwards.
  bool remove(const std::string& id) const;
  std::vector<std::string> ids() const;
  // Removes unfinished writes older than max_age (left by a process that died mid-write).
  void remove_stale_temporaries(std::chrono::seconds max_age) const;

  const std::string& directory() const { return directory_; }

 private:
  std::string directory_;
};

// An id names a directory: only [0-9a-z-] and no path tricks.
bool valid_item_id(std::string_view id);

}  // namespace aup::quarantine
