#include "daemon/macro_guard.hpp"

namespace aup::daemon {

bool well_formed_macro_packet(const char* data, size_t length) noexcept {
  if (data == nullptr || length == 0) return false;  // not even the command it is for
  size_t strings = 0;
  for (size_t at = 1; at < length; ++at) {
    if (data[at] == '\0') ++strings;
  }
  // Trailing bytes without their NUL are dropped by dec_argv, which can leave an odd list too.
  const bool terminated = length == 1 || data[length - 1] == '\0';
  return terminated && strings % 2 == 0;
}

std::atomic<uint64_t>& malformed_macro_drops() noexcept {
  static std::atomic<uint64_t> drops{0};
  return drops;
}

}  // namespace aup::daemon
