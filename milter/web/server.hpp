// `aupctl serve`: the compliance officers' web pages over the quarantine, with the same review
// operations (decided once, audited) as `aupctl quarantine`.
#pragma once

#include <memory>
#include <string>

#include "web/web_settings.hpp"

namespace httplib {
class Server;
}

namespace aup::web {

class WebApp;

// Opens the quarantine (not creating it) and the accounts file named by the settings, and
// registers every route on `server`. Throws when the quarantine cannot be opened.
std::shared_ptr<WebApp> install_routes(httplib::Server& server, const WebConfig& config);

// The accounts file the settings name (web.accounts, else beside the quarantine's index).
std::string accounts_path(const QuarantineSettings& quarantine, const WebSettings& web);

}  // namespace aup::web
