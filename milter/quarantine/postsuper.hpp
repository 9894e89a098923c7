// Hold mode: the MTA keeps held messages in Postfix's hold queue, and postsuper(1) releases
// (-H) or deletes (-d) them.
#pragma once

#include <string>
#include <vector>

namespace aup::quarantine {

struct CommandResult {
  bool ran = false;  // the program started and exited normally
  int status = -1;
  std::string output;  // stdout and stderr together
};

CommandResult run_command(const std::vector<std::string>& argv) noexcept;

enum class PostsuperResult {
  acted,      // "Released from hold: 1 message", "Deleted: 1 message"
  not_found,  // "...: 0 messages": the hold queue no longer has it
  failed,     // postsuper could not run, or failed
};

// Runs postsuper -H (release) or -d (delete, from the hold queue only) on one queue id;
// `why` says what happened when it did not act.
PostsuperResult postsuper_one(const std::string& config_directory, const std::string& operation,
                              const std::string& queue_id, std::string& why);

}  // namespace aup::quarantine
