// The engine's settings from the configuration file (rules/aup.json). The front ends'
// sections (daemon, clamd, quarantine, web) are read by their owners.
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

// The size beyond which a message is neither collected whole nor inspected: the daemon's
// memory bound, with the policy's verdict on such a message.
struct SizeLimit {
  size_t max_message_bytes = 50 * 1024 * 1024;
  OverLimit over_limit;
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
  SizeLimit size_limit;  // read from "daemon"
  FooterSettings footer;
  RegexLimits regex;
  mime::MimeLimits mime;
  inspect::InspectLimits inspect;
};

}  // namespace aup
