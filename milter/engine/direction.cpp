// Envelope defaults and direction classification.
#include "engine/direction.hpp"

#include <algorithm>

#include "engine/addresses.hpp"

namespace aup {

EffectiveEnvelope effective_envelope(const Envelope& envelope, const mime::MimeView& view) {
  EffectiveEnvelope effective;
  effective.auth_user = envelope.auth_user;
  effective.client_ip = envelope.client_ip;
  effective.time = envelope.time;
  effective.originating_service = envelope.daemon_name == "ORIGINATING";
  if (envelope.sender) {
    effective.sender = bare_address(*envelope.sender);
  } else if (!view.from.empty()) {
    effective.sender = view.from.front().address;
  }
  effective.recipients.reserve(envelope.recipients.size());
  for (const std::string& rcpt : envelope.recipients) {
    effective.recipients.push_back(bare_address(rcpt));
  }
  if (envelope.recipients.empty()) {
    for (const auto* list : {&view.to, &view.cc, &view.bcc}) {
      for (const mime::Mailbox& mailbox : *list)
        effective.recipients.push_back(mailbox.address);
    }
  }
  return effective;
}

bool is_originating(const EffectiveEnvelope& envelope, const Settings& settings) {
  if (envelope.auth_user && !envelope.auth_user->empty()) return true;
  if (envelope.originating_service) return true;
  if (envelope.client_ip) {
    const auto ip = parse_ip(*envelope.client_ip);
    return ip && ip_in(*ip, settings.internal_networks);
  }
  return domain_in(domain_of(envelope.sender), settings.internal_domains);
}

Direction classify_direction(const EffectiveEnvelope& envelope, const Settings& settings) {
  if (!is_originating(envelope, settings)) return Direction::inbound;
  const bool any_external = std::any_of(
      envelope.recipients.begin(), envelope.recipients.end(),
      [&](const auto& rcpt) { return !domain_in(domain_of(rcpt), settings.internal_domains); });
  return any_external ? Direction::outbound : Direction::internal;
}

}  // namespace aup
