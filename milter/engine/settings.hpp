// Organisation settings from the configuration file (rules/aup.json).
#pragma once

#include <string>
#include <vector>

#include "engine/actions.hpp"
#include "engine/addresses.hpp"
#include "engine/regex.hpp"
#include "mime/mime_view.hpp"

namespace aup {

struct Settings {
  std::string organisation;
  std::vector<std::string> internal_domains;  // lower case; subdomains included
  std::vector<Network> internal_networks;
  std::string header_prefix = "X-AUP-";
  std::string reply_suffix;  // appended to every reject reply, e.g. who to ask for help
  // Sub-address separators, as Postfix's recipient_delimiter: allstaff+x@ is allstaff@.
  std::string recipient_delimiter = "+";
  Action on_internal_error = Action::tempfail;
  Action on_regex_limit = Action::quarantine;
  RegexLimits regex;
  mime::MimeLimits mime;
};

}  // namespace aup
