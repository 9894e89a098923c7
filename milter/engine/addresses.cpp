// Address and network helpers; IPv4 is handled as IPv4-mapped IPv6 so one comparison serves both.
#include "engine/addresses.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include "engine/address_domain.hpp"
#include "engine/header_address.hpp"

namespace aup {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

bool ends_with_label(std::string_view domain, std::string_view suffix) {
  if (domain.size() <= suffix.size()) return false;
  return domain.substr(domain.size() - suffix.size()) == suffix &&
         domain[domain.size() - suffix.size() - 1] == '.';
}

}  // namespace

std::string to_lower_ascii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  });
  return out;
}

Path parse_address(std::string_view address) {
  Path path = parse_smtp_path(address);
  if (path.kind != PathKind::invalid) return path;
  const auto from_header = header_mailbox_path(address);
  return from_header ? parse_smtp_path(*from_header) : Path{};
}

std::string bare_address(std::string_view address) {
  const Path path = parse_address(address);
  if (path.kind == PathKind::mailbox) return path.mailbox.text();
  return path.kind == PathKind::null_path ? std::string() : std::string(trim(address));
}

std::string domain_of(std::string_view address) {
  const Path path = parse_address(address);
  return path.kind == PathKind::mailbox ? path.mailbox.domain_key : std::string();
}

std::string local_part_of(std::string_view address) {
  const Path path = parse_address(address);
  return path.kind == PathKind::mailbox ? path.mailbox.local : std::string();
}

std::string canonical_address(std::string_view address, std::string_view delimiters) {
  const Path path = parse_address(address);
  if (path.kind == PathKind::null_path) return {};
  if (path.kind == PathKind::invalid) return to_lower_ascii(trim(address));
  std::string local = to_lower_ascii(path.mailbox.local);
  if (!delimiters.empty()) {
    const auto cut = local.find_first_of(delimiters);
    if (cut != std::string::npos && cut > 0) local.resize(cut);
  }
  return local + "@" + path.mailbox.domain_key;
}

bool domain_in(std::string_view domain, const std::vector<std::string>& domains) {
  const auto key = domain_key(domain);
  if (!key) return false;
  return std::any_of(domains.begin(), domains.end(), [&](const std::string& listed) {
    const bool subdomains_only = !listed.empty() && listed.front() == '.';
    const auto listed_key = domain_key(std::string_view(listed).substr(subdomains_only ? 1 : 0));
    if (!listed_key) return false;
    return ends_with_label(*key, *listed_key) || (!subdomains_only && *key == *listed_key);
  });
}

std::optional<std::array<uint8_t, 16>> parse_ip(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.size() > 5 && to_lower_ascii(text.substr(0, 5)) == "ipv6:") text = text.substr(5);
  const std::string copy(text);
  std::array<uint8_t, 16> ip{};
  in_addr v4{};
  if (inet_pton(AF_INET, copy.c_str(), &v4) == 1) {
    ip[10] = 0xff;
    ip[11] = 0xff;
    std::copy_n(reinterpret_cast<const uint8_t*>(&v4.s_addr), 4, ip.begin() + 12);
    return ip;
  }
  if (inet_pton(AF_INET6, copy.c_str(), ip.data()) == 1) return ip;
  return std::nullopt;
}

std::optional<Network> parse_network(std::string_view text) {
  const auto slash = text.find('/');
  const auto ip = parse_ip(text.substr(0, slash));
  if (!ip) return std::nullopt;
  const bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  const unsigned max_length = v4 ? 32 : 128;
  unsigned length = max_length;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (error != std::errc() || end != digits.data() + digits.size() || length > max_length) {
      return std::nullopt;
    }
  }
  return Network{*ip, v4 ? length + 96 : length};
}

bool ip_in(const std::array<uint8_t, 16>& ip, const std::vector<Network>& networks) {
  return std::any_of(networks.begin(), networks.end(), [&](const Network& network) {
    unsigned bits = network.prefix_length;
    for (size_t i = 0; i < 16 && bits > 0; ++i) {
      const unsigned take = bits >= 8 ? 8 : bits;
      const auto mask = static_cast<uint8_t>(0xff << (8 - take));
      if ((ip[i] & mask) != (network.address[i] & mask)) return false;
      bits -= take;
    }
    return true;
  });
}

}  // namespace aup
