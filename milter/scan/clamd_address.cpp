#include "scan/clamd_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

namespace aup {
namespace {

std::optional<uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

bool is_ip_literal(const std::string& host) {
  in6_addr buffer{};
  return ::inet_pton(AF_INET, host.c_str(), &buffer) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), &buffer) == 1;
}

std::optional<ClamdAddress> parse_inet(std::string_view rest, std::string_view text) {
  const size_t at = rest.find('@');
  if (at == std::string_view::npos) return std::nullopt;
  const auto port = parse_port(rest.substr(0, at));
  std::string host(rest.substr(at + 1));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (!port || (host != "localhost" && !is_ip_literal(host))) return std::nullopt;
  ClamdAddress address;
  address.kind = ClamdAddress::Kind::inet;
  address.host = std::move(host);
  address.port = *port;
  address.text = std::string(text);
  return address;
}

}  // namespace

std::optional<ClamdAddress> parse_clamd_address(std::string_view text) {
  constexpr std::string_view kUnix = "unix:";
  constexpr std::string_view kInet = "inet:";
  if (text.substr(0, kInet.size()) == kInet) return parse_inet(text.substr(kInet.size()), text);
  if (text.substr(0, kUnix.size()) != kUnix) return std::nullopt;
  const std::string_view path = text.substr(kUnix.size());
  if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path)) return std::nullopt;
  if (path.find('\0') != std::string_view::npos) return std::nullopt;
  ClamdAddress address;
  address.path = std::string(path);
  address.text = std::string(text);
  return address;
}

}  // namespace aup
