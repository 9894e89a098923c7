// The comparable form of the domain of a mail address: what "is this our domain?" is asked of.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aup {

// A domain name (RFC 5321 Domain, with U-labels as RFC 6531 allows, and one trailing dot
// tolerated) as lower-case A-labels: "MEDWAY.GOV.UK." and "medway.gov.uk" give the same key,
// "Bücher.de" and "xn--bcher-kva.de" too, while "medwаy.gov.uk" (Cyrillic а) gives its own
// xn-- key. nullopt when it is not a valid domain name.
std::optional<std::string> domain_key(std::string_view domain);

// An RFC 5321 address literal, "[192.0.2.1]" or "[IPv6:2001:db8::1]", as "[192.0.2.1]" or
// "[ipv6:2001:db8::1]"; nullopt for anything else (general literals name no host we know).
std::optional<std::string> address_literal_key(std::string_view literal);

}  // namespace aup
