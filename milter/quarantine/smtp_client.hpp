// Hands one message to an SMTP service (libcurl's SMTP client): used to re-inject released
// messages and to send sender notices through a relay that has no milters.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace aup::quarantine {

struct SmtpSubmission {
  std::string relay;   // host:port
  std::string helo;    // EHLO name; "" for this host's name
  std::string sender;  // "" is the null sender <>
  std::vector<std::string> recipients;
  std::string data;  // the message, CRLF or LF line ends
  std::chrono::seconds timeout{120};
};

struct SmtpOutcome {
  bool delivered = false;  // the relay answered 250 to every recipient and to the data
  bool temporary = false;  // a 4xx reply or no connection: trying later may work
  // All the data was sent but no reply to it came (timeout, dropped connection): the relay
  // may or may not have taken the message.
  bool uncertain = false;
  std::string reply;  // the relay's refusal (or last reply), or why there was none
};

// Addresses with CR, LF, NUL or angle brackets are refused before anything is sent: they
// would smuggle SMTP commands through libcurl.
SmtpOutcome submit_by_smtp(const SmtpSubmission& submission) noexcept;

// CRLF line ends throughout, as SMTP wants them.
std::string with_crlf(std::string_view text);

}  // namespace aup::quarantine
