// Where held messages go and how reviewers release them: the "quarantine" section, read by
// the daemon and by the reviewers' commands and pages.
#pragma once

#include <string>

#include "engine/diagnostics.hpp"

namespace aup {

struct SenderNotice {
  bool enabled = false;  // tell the sender their message is held for review
  std::string from;      // From: of the notice; "" for postmaster@ the first internal domain
  std::string subject = "Your message is held for review";
};

struct QuarantineSettings {
  // store: the daemon keeps the message in `directory` and discards it from the MTA.
  // hold: the MTA keeps it (smfi_quarantine, Postfix's hold queue); a copy is stored for review.
  enum class Mode { store, hold };
  Mode mode = Mode::store;
  std::string directory = "/var/lib/aup-milter/quarantine";  // relative: to the config file
  std::string index;                              // SQLite file; "" for index.sqlite in `directory`
  std::string release_relay = "127.0.0.1:10026";  // host:port of an SMTP service without milters
  std::string release_helo;                       // EHLO name for re-injection; "" for hostname
  unsigned retention_days = 30;
  std::string postfix_config_directory = "/etc/postfix";  // hold mode: postsuper -c
  SenderNotice notice;
};

QuarantineSettings read_quarantine_settings(const SourceFile& config, DiagnosticSink& sink);

}  // namespace aup
