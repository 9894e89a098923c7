// The libmilter callbacks: collect the message, evaluate it with the engine at end of message,
// and apply the verdict. Each runs inside one guard that turns any failure into the configured
// fail action.
#pragma once

#include <libmilter/mfapi.h>

#include "daemon/policy_holder.hpp"

namespace aup::daemon {

// Must be called once before smfi_main; the holder outlives the milter.
void use_policies(PolicyHolder& policies);

smfiDesc filter_description();

}  // namespace aup::daemon
