// The true type of content, from its bytes (libmagic), whatever its name or declared type says.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "inspect/executor.hpp"

namespace aup::inspect {

class MagicPool;

// libmagic handles, loaded as needed and lent to one caller at a time (a handle is not
// thread-safe), so any number of threads may ask at once. A handle is replaced after a few
// hundred buffers; its replacement is loaded and warmed up on `background` when that accepts
// the job, otherwise on first use. Whoever owns the process makes one and passes it down.
class TypeDetector {
 public:
  explicit TypeDetector(Executor& background = sequential_executor());
  ~TypeDetector();
  TypeDetector(const TypeDetector&) = delete;
  TypeDetector& operator=(const TypeDetector&) = delete;

  // libmagic's MIME type ("application/x-dosexec"); "application/octet-stream" when unknown.
  std::string true_type_of(std::string_view bytes) const noexcept;

  // Only the binary formats (executables, archives, documents...): libmagic's text tests,
  // which read the whole buffer through hundreds of regular expressions, are skipped. For
  // message text, where only a program posing as text matters: ten times faster on ordinary
  // prose. "application/octet-stream" when no binary format is recognised.
  std::string binary_type_of(std::string_view bytes) const noexcept;

 private:
  std::shared_ptr<MagicPool> all_tests_;  // shared with replacement jobs still running
  std::shared_ptr<MagicPool> binary_tests_;
};

}  // namespace aup::inspect
