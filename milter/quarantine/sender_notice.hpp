// The optional notice to a member of staff whose message is held (quarantine.sender_notice):
// what was held, why, under which clause, and that a compliance officer will review it.
#pragma once

#include <optional>

#include "engine/settings.hpp"
#include "engine/verdict.hpp"
#include "quarantine/item.hpp"
#include "quarantine/quarantine_settings.hpp"
#include "quarantine/smtp_client.hpp"

namespace aup::quarantine {

// The notice to send through the release relay, or nothing: notices are off, or the sender is
// not an internal address (never tell an outsider what the policy caught).
std::optional<SmtpSubmission> sender_notice(const Settings& settings,
                                            const QuarantineSettings& quarantine, const Item& item,
                                            const Verdict& verdict);

}  // namespace aup::quarantine
