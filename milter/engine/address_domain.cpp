// Domain keys through libidn2 (UTS #46 mapping, IDNA2008), address literals through inet_pton.
#include "engine/address_domain.hpp"

#include <idn2.h>

#include <memory>

#include "engine/addresses.hpp"

namespace aup {
namespace {

constexpr size_t kMaxDomain = 253;  // RFC 1035 without the trailing dot
constexpr size_t kMaxLabel = 63;

bool is_let_dig(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5321 sub-domain over the ASCII form: Let-dig [Ldh-str], at most 63 characters.
bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabel) return false;
  if (!is_let_dig(label.front()) || !is_let_dig(label.back())) return false;
  for (const char c : label) {
    if (!is_let_dig(c) && c != '-') return false;
  }
  return true;
}

bool valid_ascii_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > kMaxDomain) return false;
  size_t start = 0;
  while (true) {
    const size_t dot = domain.find('.', start);
    if (!valid_label(domain.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Plain LDH text without any A-label needs no IDNA processing: lower-casing is all UTS #46
// would do to it. Everything else (non-ASCII, or "xn--" labels that must be checked as
// valid Punycode) goes through libidn2.
bool plain_ascii(std::string_view domain) {
  for (const char c : domain) {
    if (!is_let_dig(c) && c != '-' && c != '.') return false;
  }
  return to_lower_ascii(domain).find("xn--") == std::string::npos;
}

std::optional<std::string> idna_lookup(std::string_view domain) {
  const std::string input(domain);  // NUL-terminated for libidn2; embedded NULs are refused
  if (input.find('\0') != std::string::npos) return std::nullopt;
  char* output = nullptr;
  // Non-transitional UTS #46 processing, the mapping browsers and current MTAs apply:
  // case folding and width mapping (so a full-width "ｍｅｄｗａｙ" is "medway"), NFC, IDNA2008
  // validity. Transitional mode would map "ß" to "ss" and merge distinct names.
  const int rc =
      idn2_lookup_u8(reinterpret_cast<const uint8_t*>(input.c_str()),
                     reinterpret_cast<uint8_t**>(&output), IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  const std::unique_ptr<char, decltype(&idn2_free)> owned(output, &idn2_free);
  if (rc != IDN2_OK || output == nullptr) return std::nullopt;
  return std::string(output);
}

}  // namespace

std::optional<std::string> domain_key(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);  // "medway.gov.uk."
  if (domain.empty() || domain.size() > 4 * kMaxDomain) return std::nullopt;
  std::optional<std::string> key =
      plain_ascii(domain) ? std::optional(to_lower_ascii(domain)) : idna_lookup(domain);
  // libidn2 accepts what DNS would not (underscores, empty labels): the RFC 5321 grammar is
  // checked on what it returns.
  if (!key || !valid_ascii_domain(*key)) return std::nullopt;
  return key;
}

std::optional<std::string> address_literal_key(std::string_view literal) {
  if (literal.size() < 3 || literal.front() != '[' || literal.back() != ']') return std::nullopt;
  const std::string inner = to_lower_ascii(literal.substr(1, literal.size() - 2));
  const bool v6 = inner.rfind("ipv6:", 0) == 0;
  // An IPv4 literal is dotted-quad only; an IPv6 one must carry its tag (RFC 5321 4.1.3).
  if (v6 ? inner.find(':', 5) == std::string::npos : inner.find(':') != std::string::npos) {
    return std::nullopt;
  }
  if (!parse_ip(inner)) return std::nullopt;
  return "[" + inner + "]";
}

}  // namespace aup
