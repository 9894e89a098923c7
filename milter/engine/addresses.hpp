// Mail addresses, domains and IP networks: the facts direction and ownership are built on.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aup {

std::string to_lower_ascii(std::string_view text);

// "Name <a@b>" or "<a@b>" or "a@b" -> "a@b", trimmed.
std::string bare_address(std::string_view address);

// Lower-cased domain of an address, "" when there is none.
std::string domain_of(std::string_view address);

// Local part as written.
std::string local_part_of(std::string_view address);

// "Local+tag@Domain" -> "local@domain" for any character of `delimiters` (lower-cased).
std::string canonical_address(std::string_view address, std::string_view delimiters);

// True when `domain` equals one of `domains` or is a subdomain of one (case-insensitive);
// a listed ".example.org" stands for its subdomains only.
bool domain_in(std::string_view domain, const std::vector<std::string>& domains);

struct Network {
  std::array<uint8_t, 16> address{};  // IPv4 stored as IPv4-mapped IPv6
  unsigned prefix_length = 128;       // in IPv6 terms
};

// "10.0.0.0/8", "::1", "192.168.1.7" -> Network; nullopt when not valid.
std::optional<Network> parse_network(std::string_view text);

// Parses an IPv4 or IPv6 address (optionally in brackets or with an "IPv6:" prefix).
std::optional<std::array<uint8_t, 16>> parse_ip(std::string_view text);

bool ip_in(const std::array<uint8_t, 16>& ip, const std::vector<Network>& networks);

}  // namespace aup
