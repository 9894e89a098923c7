// Fuzz target: raw message bytes -> MIME view -> attachment inspection -> verdict (and the
// footer's edit, and the verdict as JSON), under the shipped policy, as a member of staff's
// outbound mail: the path with every check and the footer on.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "engine/evaluate.hpp"
#include "fuzz_support.hpp"

namespace {

aup::Message staff_message(const uint8_t* data, size_t size) {
  aup::Message message;
  message.envelope.sender = "jo.bloggs@medway.gov.uk";
  message.envelope.recipients = {"someone@example.com", "colleague@medway.gov.uk"};
  message.envelope.auth_user = "jo.bloggs";
  message.envelope.client_ip = "10.1.2.3";
  message.raw.assign(reinterpret_cast<const char*>(data), size);
  return message;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto policy = aup::fuzz::shipped_policy();
  static const aup::LocalServices services;  // as aupctl: in order, on this thread
  const aup::Verdict verdict = aup::evaluate(*policy, staff_message(data, size), services.get());
  // Refusals always carry an SMTP reply; the JSON form must serialise whatever was matched.
  const bool refused =
      verdict.action == aup::Action::reject || verdict.action == aup::Action::tempfail;
  if (refused && !verdict.reply) std::abort();
  (void)aup::to_json(verdict).dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  return 0;
}
