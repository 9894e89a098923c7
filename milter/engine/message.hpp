// What the engine is given: the SMTP envelope and session facts, and the raw message bytes.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace aup {

struct Envelope {
  // MAIL FROM without angle brackets; "" is the null sender. Unset: take it from From.
  std::optional<std::string> sender;
  // RCPT TO addresses. Empty: take them from To, Cc and Bcc (offline checks).
  std::vector<std::string> recipients;
  std::optional<std::string> auth_user;  // SASL login ({auth_authen})
  std::optional<std::string> client_ip;  // SMTP client address
  // Postfix's {daemon_name}: a submission service set to "ORIGINATING" (its own convention,
  // milter_macro_daemon_name=ORIGINATING) marks all its mail as originating.
  std::optional<std::string> daemon_name;
  std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
};

struct Message {
  Envelope envelope;
  std::string raw;  // RFC 5322 bytes, LF or CRLF line ends
};

}  // namespace aup
