// Organisation settings from the configuration file (rules/aup.json).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "engine/actions.hpp"
#include "engine/addresses.hpp"
#include "engine/regex.hpp"
#include "inspect/inspect.hpp"
#include "mime/mime_view.hpp"

namespace aup {

// Monday to Friday 09:00-17:00 in a named time zone, less holidays (clauses 2.2, 4.1).
struct WorkingHours {
  std::vector<int> days = {1, 2, 3, 4, 5};  // ISO weekday numbers, Monday = 1
  int start_minute = 9 * 60;                // minutes after local midnight
  int end_minute = 17 * 60;
  std::string time_zone = "Europe/London";
  std::vector<std::string> holidays;  // "YYYY-MM-DD", local dates
};

// Who may write to everyone (clause 4.4).
struct AllStaff {
  std::vector<std::string> addresses;           // lower case
  std::vector<std::string> authorised_senders;  // lower case
};

// How personal mail is recognised (clause 4.2).
struct PersonalMail {
  std::vector<std::string> subject_tags = {"[personal]"};  // lower case
  std::string statement =
      "This e-mail is personal. It is not authorised by or sent on behalf of Medway Council "
      "and is the personal responsibility of the sender.";
  // A line starting with one of these begins the corporate footer: not the author's text.
  std::vector<std::string> footer_markers;
};

// The verdict for a message over max_message_bytes, which is neither collected whole nor
// inspected: the policy's words, the same in the daemon and in `aupctl check`.
struct OverLimit {
  Action action = Action::reject;  // or tempfail (452 4.3.1)
  std::string policy_ref;          // the clause the reply names; "" for none
  std::string reply_code = "552";
  std::string reply_xcode = "5.3.4";
  std::string reply;  // with {limit} and {policy_ref}; "" for a plain statement of the limit
};

// What the milter daemon itself needs.
struct DaemonSettings {
  size_t max_message_bytes = 50 * 1024 * 1024;  // the memory bound per message
  OverLimit over_limit;
  std::string audit_file;  // JSON lines, one per message; "" for none
  // Milter connections open at once; one more is answered tempfail at connect (issue 19, 7).
  unsigned max_connections = 1000;
  // libmilter's wait for the MTA's next command (smfi_settimeout): an idle or half-open
  // connection is closed after it. Postfix stays silent on a session's milter connection while
  // the client sends DATA (the content follows at end of message), so this must be longer than
  // the slowest message transfer, not just milter_content_timeout (300 s). Read at start.
  // Debian's libmilter (worker pool) sweeps idle sessions every 600 s: closed within that.
  unsigned idle_timeout_seconds = 1800;
};

// Virus scanning through clamd (clause 4.8.1); off unless configured.
struct ClamdSettings {
  bool enabled = false;
  std::string address = "unix:/run/clamav/clamd.ctl";
  std::chrono::milliseconds timeout{30000};
};

// Where held messages go and how reviewers release them (issue: the quarantine).
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

// The corporate footer on outbound mail (clause 4.2, note). Off unless configured.
struct FooterSettings {
  bool enabled = false;
  std::string text;    // plain text, UTF-8
  std::string html;    // an HTML fragment; "" for the text, escaped, in a <p>
  std::string marker;  // "" for the first line of `text`: its presence means "already added"
  // A signed, encrypted or DKIM-signed message cannot be changed: leave it as it is, or also
  // tag it (<prefix>Footer: omitted; reason) so that its omission can be seen.
  bool tag_when_omitted = false;
};

// The compliance officers' web pages (`aupctl serve`).
struct WebSettings {
  std::string listen = "127.0.0.1:8026";  // HOST:PORT; loopback unless a proxy is in front
  std::string accounts;  // JSON file of built-in accounts; "" for web-accounts.json beside
                         // the quarantine's index
  // Single sign-on behind a reverse proxy: the header naming the signed-in user ("" off), and
  // the role of users without a built-in account of that name (with one, its role). Only safe
  // when nothing but the proxy can reach `listen`.
  std::string trusted_user_header;
  std::string trusted_user_role = "auditor";
  // Numeric addresses of the reverse proxies: only their requests may carry the user header,
  // and their X-Forwarded-For names the client for sign-in throttling. None by default: every
  // peer is then the client itself, whatever headers it sends.
  std::vector<std::string> trusted_proxies;
  std::vector<std::string> four_eyes_clauses;  // releasing these needs two different officers
  unsigned session_minutes = 480;
  bool secure_cookies = false;  // behind TLS: cookies only over HTTPS
};

struct Settings {
  std::string organisation;
  std::vector<std::string> internal_domains;  // lower case; subdomains included
  std::vector<Network> internal_networks;
  std::string header_prefix = "X-AUP-";
  std::string reply_suffix;  // appended to every reject reply, e.g. who to ask for help
  // Sub-address separators, as Postfix's recipient_delimiter: allstaff+x@ is allstaff@.
  std::string recipient_delimiter = "+";
  Action on_internal_error = Action::tempfail;
  Action on_regex_limit = Action::quarantine;         // also when the evaluation budget runs out
  std::chrono::milliseconds evaluation_budget{2000};  // per message, parsing included
  // Partner domains with secure mail; a leading dot means subdomains only (".police.uk").
  std::vector<std::string> secure_partner_domains;
  WorkingHours working_hours;
  AllStaff all_staff;
  PersonalMail personal;
  // Extra addresses a login may send as (shared mailboxes, aliases), lower case.
  std::map<std::string, std::vector<std::string>> mailboxes;
  DaemonSettings daemon;
  ClamdSettings clamd;
  QuarantineSettings quarantine;
  FooterSettings footer;
  WebSettings web;
  RegexLimits regex;
  mime::MimeLimits mime;
  inspect::InspectLimits inspect;
};

}  // namespace aup
