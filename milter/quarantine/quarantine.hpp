// The quarantine as the daemon and reviewers use it: the message directory (the truth) plus its
// index. An item is published in the directory first; the index follows, and reconcile()
// indexes anything a crash left unindexed.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "engine/message.hpp"
#include "engine/verdict.hpp"
#include "quarantine/index.hpp"
#include "quarantine/message_store.hpp"
#include "quarantine/quarantine_settings.hpp"

namespace aup::quarantine {

struct HoldRequest {
  std::string_view raw;  // the message exactly as received
  const Envelope& envelope;
  const Verdict& verdict;
  std::string queue_id;
  std::string subject;  // decoded, for the index
  QuarantineSettings::Mode mode = QuarantineSettings::Mode::store;
  std::string message_id{};  // the Message-ID field, to recognise a message offered again
};

struct HoldResult {
  std::string id;
  Item item;
  std::string index_error;     // "" when indexed; the item is stored either way
  bool offered_again = false;  // the same message was already held: `id` is that item
};

// The audit actor for what the daemon itself does.
inline constexpr const char* kDaemonActor = "aup-milter";

class Quarantine {
 public:
  // Opens the directory and the index; the daemon creates them, reviewers' tools do not.
  // Throws std::system_error or IndexError.
  // `index_wait` bounds each wait for the index (see open_sqlite_index).
  enum class Create { yes, no };
  Quarantine(const QuarantineSettings& settings, Create create,
             std::chrono::milliseconds index_wait = kReviewerIndexWait);

  // Stores the message durably, then indexes it. Throws when it could not be stored: the
  // caller must then tempfail, so that the MTA keeps the message.
  HoldResult hold(const HoldRequest& request) const;

  // Indexes items present in the directory but not in the index; returns how many.
  size_t reconcile() const;

  Index& index() const { return *index_; }
  const MessageStore& store() const { return store_; }
  const QuarantineSettings& settings() const { return settings_; }

 private:
  // The held item this exact message (envelope, Message-ID, body) already is, if any.
  std::optional<HoldResult> already_held(const HoldRequest& request) const;

  QuarantineSettings settings_;
  MessageStore store_;
  std::unique_ptr<Index> index_;
};

std::string index_path(const QuarantineSettings& settings);
std::string now_rfc3339();

// The index row of a stored record.json (what reconcile and tests read back).
Item item_from_record(const nlohmann::json& record);

}  // namespace aup::quarantine
