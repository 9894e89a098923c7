// What the engine is given by the front end that owns the process: a virus scanner, where
// a message's independent work runs, and libmagic. The engine keeps no pools of its own.
#pragma once

#include "engine/virus_scanner.hpp"
#include "inspect/executor.hpp"
#include "inspect/true_type.hpp"

namespace aup {

struct Services {
  const VirusScanner* scanner = nullptr;  // null: virus rules do not fire
  inspect::Executor& executor;            // outlives `types`, whose warm-ups it runs
  const inspect::TypeDetector& types;
};

// Services for one thread's work, all of it done on that thread, in order: aupctl and the
// tests, whose verdicts must not depend on timing. Cheap to make (libmagic is loaded on first
// use), but keep one for many messages: each holds its own loaded handles.
class LocalServices {
 public:
  explicit LocalServices(const VirusScanner* scanner = nullptr)
      : services_{scanner, inspect::sequential_executor(), types_} {}
  LocalServices(const LocalServices&) = delete;
  LocalServices& operator=(const LocalServices&) = delete;

  const Services& get() const { return services_; }

 private:
  inspect::TypeDetector types_;  // first: services_ refers to it
  Services services_;
};

}  // namespace aup
