// The engine as aupctl runs it, for tests: everything on the calling thread, in order, with
// one set of libmagic handles per test thread.
#pragma once

#include "engine/evaluate.hpp"

namespace aup::test {

inline const Services& local_services() {
  thread_local const LocalServices services;
  return services.get();
}

inline Verdict evaluate(const Policy& policy, const Message& message) {
  return aup::evaluate(policy, message, local_services());
}

}  // namespace aup::test
