// One-time GMime initialisation shared by every thread of the process.
#include "mime/gmime_runtime.hpp"

#include <mutex>

namespace aup::mime {

void ensure_gmime_initialised() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

}  // namespace aup::mime
