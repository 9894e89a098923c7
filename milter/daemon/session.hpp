// Per-connection state kept in libmilter's private data. A session may move between threads:
// everything lives here, nothing in thread_local storage.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/daemon_config.hpp"
#include "engine/message.hpp"

namespace aup::daemon {

struct MessageState {
  std::shared_ptr<const DaemonConfig> config;  // pinned at MAIL FROM
  const Policy& policy() const { return *config->policy; }
  Message message;
  std::string queue_id;
  // Incoming X-AUP-* fields (name, 1-based index among fields of that name), stripped before
  // ours are added.
  std::vector<std::pair<std::string, int>> own_header_occurrences;
  std::unordered_map<std::string, int> own_header_counts;  // lower-case name: fields so far
  bool own_headers_untracked = false;  // more than the header field limit: not all noted
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // SMFIP_HDR_LEADSPC in force: header values keep (and must supply) the space after ':'.
  bool header_leading_space = false;
  bool can_replace_body = true;  // the MTA offered SMFIF_CHGBODY (footers)
};

struct Session {
  bool header_leading_space = false;  // negotiated for the connection
  bool can_replace_body = true;
  std::optional<std::string> client_ip;
  std::string client_name;
  std::optional<std::string> daemon_name;  // Postfix {daemon_name}, sent with connect
  MessageState current;

  void reset_message() { current = MessageState{}; }
};

}  // namespace aup::daemon
