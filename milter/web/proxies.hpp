// Which reverse proxies are believed (web.trusted_proxies), and who the client is behind them.
#pragma once

#include <string>
#include <vector>

namespace aup::web {

bool is_trusted_proxy(const std::string& peer, const std::vector<std::string>& trusted);

// The client's address for sign-in throttling. The peer itself unless it is a trusted proxy;
// then X-Forwarded-For (`forwarded`, all its lines joined by commas) is read from the right,
// where each proxy appended the address it saw: the first address that is not a trusted
// proxy is the client. Anything left of it was written by the client and may be forged. An
// entry that is not an IP address stops the walk at the proxy that passed it on.
std::string forwarded_client(const std::string& peer, const std::string& forwarded,
                             const std::vector<std::string>& trusted);

}  // namespace aup::web
