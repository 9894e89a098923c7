// Everything a rule may look at while one message is evaluated.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/actions.hpp"
#include "engine/prefilter.hpp"
#include "engine/regex.hpp"
#include "engine/settings.hpp"
#include "engine/virus_scanner.hpp"
#include "mime/mime_view.hpp"

namespace aup {

// The envelope after offline defaults were filled in from the headers.
struct EffectiveEnvelope {
  std::string sender;  // "" for the null sender
  std::vector<std::string> recipients;
  std::optional<std::string> auth_user;
  std::optional<std::string> client_ip;
  std::chrono::system_clock::time_point time;
  bool originating_service = false;  // {daemon_name} is ORIGINATING
};

// One scan per message, however many rules ask: the first asks, the rest read this.
struct ScanState {
  const VirusScanner* scanner = nullptr;  // null: scanning is off
  std::string_view message;
  std::optional<ScanResult> result;
};

namespace checks {
struct PersonalFinding;
}

// Findings several rules share, worked out once per message by the first rule that asks.
struct SharedFindings {
  std::shared_ptr<const checks::PersonalFinding> personal;
};

struct EvalContext {
  const Settings& settings;
  const mime::MimeView& view;
  const EffectiveEnvelope& envelope;
  Direction direction;
  MatchScratch& scratch;
  ScanState& scan;
  std::string_view raw_message;
  SharedFindings* shared = nullptr;   // null: nothing is remembered between rules
  PrefilterRun* prefilter = nullptr;  // null: every pattern rule runs PCRE2 on every value
  bool check_prefilters = false;      // built-in checks may rule out their own patterns
};

}  // namespace aup
