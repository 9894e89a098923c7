// Mail addresses, domains and IP networks: the facts direction and ownership are built on.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/smtp_address.hpp"

namespace aup {

std::string to_lower_ascii(std::string_view text);

// An SMTP path ("<a@b>", "<@route:a@b>", "<>", "a@b") or, failing that, one mailbox as a
// header writes it ("Jo <a@b>", "a(comment)@b"). Anything else is PathKind::invalid, which
// every caller must treat as an address outside the organisation.
Path parse_address(std::string_view address);

// The mailbox of parse_address as local@domain; "" for the null path; an invalid address is
// returned trimmed but otherwise as given, so that it stays invalid when parsed again.
std::string bare_address(std::string_view address);

// The comparable domain of an address (lower-case A-labels, or "[192.0.2.1]" for a
// literal); "" when the address is null or invalid, and "" is in no list of domains.
std::string domain_of(std::string_view address);

// Local part, unquoted when it needs no quotes; "" when the address is null or invalid.
std::string local_part_of(std::string_view address);

// "Local+tag@Domain" -> "local@domain" for any character of `delimiters` (lower-cased); an
// invalid address lower-cased as given.
std::string canonical_address(std::string_view address, std::string_view delimiters);

// True when `domain` equals one of `domains` or is a subdomain of one, compared as domain
// keys (case, trailing dot, U-label or A-label do not matter); a listed ".example.org" stands
// for its subdomains only. An invalid domain or an address literal is in no list.
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
