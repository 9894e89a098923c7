// X-Forwarded-For, read only as far as trusted proxies vouch for it.
#include "web/proxies.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace aup::web {
namespace {

bool ip_address(const std::string& text) {
  unsigned char bytes[16];
  return inet_pton(AF_INET, text.c_str(), bytes) == 1 ||
         inet_pton(AF_INET6, text.c_str(), bytes) == 1;
}

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

bool is_trusted_proxy(const std::string& peer, const std::vector<std::string>& trusted) {
  return std::find(trusted.begin(), trusted.end(), peer) != trusted.end();
}

std::string forwarded_client(const std::string& peer, const std::string& forwarded,
                             const std::vector<std::string>& trusted) {
  std::string hop = peer;
  for (size_t end = forwarded.size(); is_trusted_proxy(hop, trusted) && end > 0;) {
    const size_t comma = forwarded.rfind(',', end - 1);
    const size_t start = comma == std::string::npos ? 0 : comma + 1;
    const std::string entry = trimmed(forwarded.substr(start, end - start));
    if (!ip_address(entry)) break;
    hop = entry;
    end = comma == std::string::npos ? 0 : comma;
  }
  return hop;
}

}  // namespace aup::web
