// `aupctl quarantine ...`: the compliance officer's commands. Every change goes through the
// review operations (decided once, audited); reading never changes anything but indexing
// stored items a crash left unindexed.
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/commands.hpp"
#include "engine/rfc3339.hpp"
#include "engine/settings_loader.hpp"
#include "quarantine/review.hpp"
#include "review/quarantine_view.hpp"
#include "review/safe_text.hpp"
#include "review/settings_file.hpp"

namespace aup::cli {
namespace {

using review::review_text;
using review::review_view;
using review::terminal_safe;

constexpr int kExitDataErr = 65;
constexpr int kExitUnavailable = 69;
constexpr int kExitIoErr = 74;
constexpr int kExitTempFail = 75;
constexpr int kExitProtocol = 76;

// "2026-11-01" (midnight UTC) or an RFC 3339 time, as the index's UTC text.
std::optional<std::string> since_text(const std::string& value) {
  const auto time = parse_rfc3339(value.size() == 10 ? value + "T00:00:00Z" : value);
  if (!time) return std::nullopt;
  return format_rfc3339(*time);
}

int exit_code(quarantine::Outcome outcome) {
  switch (outcome) {
    case quarantine::Outcome::done:
      return kExitOk;
    case quarantine::Outcome::not_found:
      return kExitNoInput;
    case quarantine::Outcome::not_held:
      return kExitDataErr;
    case quarantine::Outcome::relay_deferred:
      return kExitTempFail;
    case quarantine::Outcome::relay_refused:
      return kExitUnavailable;
    case quarantine::Outcome::relay_uncertain:
      return kExitProtocol;
    case quarantine::Outcome::failed:
      return kExitIoErr;
  }
  return kExitIoErr;
}

std::string usable_name(const std::string& name) {
  if (name.empty() || name.size() > 100) return "";
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return "";
  }
  return name;
}

// Who runs aupctl: the sudo caller when there is one, else the login name.
std::string os_user() {
  const char* sudo_user = std::getenv("SUDO_USER");
  if (sudo_user != nullptr && *sudo_user != '\0') return sudo_user;
  const passwd* entry = getpwuid(getuid());
  return entry != nullptr && entry->pw_name != nullptr ? entry->pw_name
                                                       : fmt::format("uid {}", getuid());
}

// Reading held mail is itself on the record. A failure to record does not stop the reading.
void record_view(const quarantine::Quarantine& place, const std::string& id,
                 const std::string& reviewer, bool raw) {
  const std::string actor = reviewer.empty() ? os_user() : usable_name(reviewer);
  try {
    place.index().append_audit({quarantine::now_rfc3339(), id, actor.empty() ? os_user() : actor,
                                raw ? "viewed-raw" : "viewed", ""});
  } catch (const std::exception& error) {
    std::cerr << "aupctl quarantine show: not recorded in the audit trail: " << error.what()
              << "\n";
  }
}

void print_list(const std::vector<quarantine::Item>& items) {
  if (items.empty()) {
    std::cout << "No quarantined messages match.\n";
    return;
  }
  std::cout << fmt::format("{:<25} {:<20} {:<9} {:<30} {:<24} {}\n", "ID", "HELD AT (UTC)",
                           "STATUS", "SENDER", "RULES (CLAUSES)", "SUBJECT");
  for (const auto& item : items) {
    std::cout << fmt::format("{:<25} {:<20} {:<9} {:<30} {:<24} {}\n", item.id, item.time,
                             to_string(item.status), terminal_safe(item.sender),
                             terminal_safe(fmt::format("{} ({})", fmt::join(item.rules, ","),
                                                       fmt::join(item.clauses, ","))),
                             terminal_safe(item.subject));
  }
  std::cout << fmt::format("{} message(s)\n", items.size());
}

void print_json(const nlohmann::ordered_json& value) {
  // ASCII only: escapes of C1 controls and bidi overrides cannot act on a terminal.
  std::cout << value.dump(2, ' ', true, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

int list(const quarantine::Quarantine& place, const QuarantineOptions& options) {
  quarantine::ListFilter filter;
  if (options.status == "held") {
    // Awaiting a decision, including releases in progress (or interrupted).
    filter.statuses = {quarantine::Status::held, quarantine::Status::releasing};
  } else if (const auto status = quarantine::parse_status(options.status)) {
    filter.statuses = {*status};
  } else if (options.status != "any") {
    std::cerr << "aupctl quarantine list: --status is held, releasing, released, deleted, "
                 "expired or any\n";
    return kExitUsage;
  }
  if (options.since) {
    filter.since = since_text(*options.since);
    if (!filter.since) {
      std::cerr << "aupctl quarantine list: --since takes 2026-11-01 or an RFC 3339 time\n";
      return kExitUsage;
    }
  }
  filter.rule = options.rule;
  filter.sender = options.sender;
  if (filter.sender == "<>") filter.sender = "";  // the null sender (bounces, notices)
  const auto items = place.index().list(filter);
  if (options.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& item : items)
      out.push_back(quarantine::to_json(item));
    print_json(out);
  } else {
    print_list(items);
  }
  return kExitOk;
}

// The stored bytes. Only bytes that were written out count as viewed in the audit trail: a
// refusal or a failure shows nobody anything.
int show_raw(const quarantine::Quarantine& place, const quarantine::Item& item,
             const std::optional<std::string>& message, const QuarantineOptions& options) {
  if (!message) {
    std::cerr << "aupctl quarantine show: the stored message is no longer kept\n";
    return kExitNoInput;
  }
  if (isatty(STDOUT_FILENO) && !options.force) {
    std::cerr << "aupctl quarantine show: --raw writes the sender's bytes unfiltered; redirect "
                 "it to a file (or add --force to print it on this terminal)\n";
    return kExitUsage;
  }
  std::cout.write(message->data(), static_cast<std::streamsize>(message->size()));
  std::cout.flush();
  if (!std::cout.good()) return kExitIoErr;
  record_view(place, item.id, options.reviewer, true);
  return kExitOk;
}

int show(const quarantine::Quarantine& place, const Settings& settings,
         const QuarantineOptions& options) {
  const auto item = place.index().find(options.id);
  if (!item) {
    std::cerr << fmt::format("aupctl quarantine show: no quarantined message with id \"{}\"\n",
                             terminal_safe(options.id));
    return kExitNoInput;
  }
  const auto message = place.store().read_message(item->id);
  if (options.raw) return show_raw(place, *item, message, options);
  const auto view = review_view(*item, place.store().read_record(item->id), message, settings);
  if (options.json) {
    print_json(view);
  } else {
    std::cout << review_text(view);
  }
  std::cout.flush();
  if (!std::cout.good()) return kExitIoErr;
  record_view(place, item->id, options.reviewer, false);
  return kExitOk;
}

int decide(const quarantine::Quarantine& place, const Settings& settings,
           const QuarantineOptions& options, const std::string& action) {
  const std::string reviewer = usable_name(options.reviewer);
  if (reviewer.empty()) {
    std::cerr << fmt::format(
        "aupctl quarantine {}: --reviewer must name who decides (1 to 100 "
        "printable characters)\n",
        action);
    return kExitUsage;
  }
  if (action == "keep-held" && options.note.find_first_not_of(' ') == std::string::npos) {
    std::cerr << "aupctl quarantine keep-held: --note must say why it stays held\n";
    return kExitUsage;
  }
  const quarantine::Decision decision{options.id, reviewer, options.note, options.retry_interrupted,
                                      os_user()};
  const quarantine::ReviewResult result =
      action == "release"     ? quarantine::release(place, decision, settings.header_prefix)
      : action == "keep-held" ? quarantine::keep_held(place, decision)
                              : quarantine::remove(place, decision);
  const bool done = result.outcome == quarantine::Outcome::done;
  (done ? std::cout : std::cerr) << fmt::format(
      "{}{}\n", done ? "" : fmt::format("aupctl quarantine {}: ", action),
      terminal_safe(result.message));
  if (result.outcome == quarantine::Outcome::relay_deferred ||
      result.outcome == quarantine::Outcome::relay_refused) {
    std::cerr << "The message is still held; nothing was delivered.\n";
  }
  if (result.outcome == quarantine::Outcome::relay_uncertain) {
    std::cerr << "The message shows as \"releasing\" until this is resolved.\n";
  }
  return exit_code(result.outcome);
}

int purge(const quarantine::Quarantine& place, const QuarantineOptions& options) {
  const unsigned days = options.older_than_days.value_or(place.settings().retention_days);
  const auto cutoff = std::chrono::system_clock::now() - std::chrono::hours(24) * days;
  const std::string actor = options.reviewer.empty() ? "retention" : usable_name(options.reviewer);
  if (actor.empty()) {
    std::cerr << "aupctl quarantine purge: --reviewer must be 1 to 100 printable characters\n";
    return kExitUsage;
  }
  const auto result = quarantine::purge(place, format_rfc3339(cutoff), actor);
  std::cout << fmt::format(
      "Held before {}: {} expired, {} stored copies of decided messages "
      "removed.\n",
      format_rfc3339(cutoff), result.expired, result.purged);
  for (const std::string& problem : result.problems) {
    std::cerr << "aupctl quarantine purge: " << terminal_safe(problem) << "\n";
  }
  return result.problems.empty() ? kExitOk : kExitIoErr;
}

int audit(const quarantine::Quarantine& place, const QuarantineOptions& options) {
  const auto entries =
      place.index().audit(options.id.empty() ? std::nullopt : std::optional(options.id));
  if (!options.id.empty() && entries.empty() && !place.index().find(options.id)) {
    std::cerr << fmt::format("aupctl quarantine audit: no quarantined message with id \"{}\"\n",
                             terminal_safe(options.id));
    return kExitNoInput;
  }
  if (options.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& entry : entries)
      out.push_back(quarantine::to_json(entry));
    print_json(out);
    return kExitOk;
  }
  for (const auto& entry : entries) {
    std::cout << fmt::format("{}  {:<25} {:<16} {:<15} {}\n", entry.time, entry.item_id,
                             entry.action, terminal_safe(entry.actor), terminal_safe(entry.detail));
  }
  return kExitOk;
}

}  // namespace

int run_quarantine(const std::string& action, const QuarantineOptions& options) {
  const auto config = review::read_review_config(options.config);
  if (!config) return kExitConfig;
  const Settings& settings = config->settings;
  try {
    const quarantine::Quarantine place(config->quarantine, quarantine::Quarantine::Create::no);
    place.reconcile();
    if (action == "list") return list(place, options);
    if (action == "show") return show(place, settings, options);
    if (action == "release" || action == "delete" || action == "keep-held") {
      return decide(place, settings, options, action);
    }
    if (action == "purge") return purge(place, options);
    return audit(place, options);
  } catch (const std::exception& error) {
    std::cerr << fmt::format("aupctl quarantine {}: {} ({})\n", action, error.what(),
                             config->quarantine.directory);
    return kExitIoErr;
  }
}

}  // namespace aup::cli
