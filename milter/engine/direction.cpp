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
  // Neither a login nor a client address: the sender decides. Only a sender that parses to a
  // mailbox in an external domain makes the mail inbound. A sender that cannot be parsed, or
  // the null sender (here a local submission or a saved message, not a bounce from outside,
  // which comes over SMTP from an address), makes it originating: classing staff mail as
  // inbound would let it out untouched, while classing other mail as originating only applies
  // the staff policy to it.
  const Path sender = parse_address(envelope.sender);
  return sender.kind != PathKind::mailbox ||
         domain_in(sender.mailbox.domain_key, settings.internal_domains);
}

Direction classify_direction(const EffectiveEnvelope& envelope, const Settings& settings) {
  if (!is_originating(envelope, settings)) return Direction::inbound;
  // A recipient that cannot be parsed has domain "" and so is external: the outbound rules
  // run rather than trust an address no one can read.
  const bool any_external = std::any_of(
      envelope.recipients.begin(), envelope.recipients.end(),
      [&](const auto& rcpt) { return !domain_in(domain_of(rcpt), settings.internal_domains); });
  return any_external ? Direction::outbound : Direction::internal;
}

}  // namespace aup
