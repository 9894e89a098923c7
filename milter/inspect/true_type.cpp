// libmagic handles are not thread-safe and slow to load, so loaded ones are pooled.
#include "inspect/true_type.hpp"

#include <magic.h>

#include <mutex>
#include <vector>

namespace aup::inspect {
namespace {

constexpr std::string_view kUnknown = "application/octet-stream";

class MagicPool {
 public:
  explicit MagicPool(int flags) : flags_(flags) {}

  magic_t acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        magic_t handle = idle_.back();
        idle_.pop_back();
        return handle;
      }
    }
    magic_t handle = magic_open(flags_);
    if (handle != nullptr && magic_load(handle, nullptr) != 0) {
      magic_close(handle);
      return nullptr;
    }
    return handle;
  }

  void release(magic_t handle) {
    if (handle == nullptr) return;
    std::lock_guard lock(mutex_);
    idle_.push_back(handle);
  }

 private:
  const int flags_;
  std::mutex mutex_;
  std::vector<magic_t> idle_;
};

constexpr int kAllTests = MAGIC_MIME_TYPE | MAGIC_ERROR;
constexpr int kBinaryTests = kAllTests | MAGIC_NO_CHECK_TEXT | MAGIC_NO_CHECK_ENCODING |
                             MAGIC_NO_CHECK_CSV | MAGIC_NO_CHECK_JSON;

// Never destroyed: threads may outlive main.
MagicPool& all_tests_pool() {
  static MagicPool* instance = new MagicPool(kAllTests);
  return *instance;
}

MagicPool& binary_tests_pool() {
  static MagicPool* instance = new MagicPool(kBinaryTests);
  return *instance;
}

std::string type_with(MagicPool& pool, std::string_view bytes) noexcept {
  try {
    magic_t handle = pool.acquire();
    if (handle == nullptr) return std::string(kUnknown);
    const char* type = magic_buffer(handle, bytes.data(), bytes.size());
    std::string result(type != nullptr ? std::string_view(type) : kUnknown);
    pool.release(handle);
    return result;
  } catch (...) {
    return std::string(kUnknown);
  }
}

}  // namespace

std::string true_type_of(std::string_view bytes) noexcept {
  return type_with(all_tests_pool(), bytes);
}

std::string binary_type_of(std::string_view bytes) noexcept {
  return type_with(binary_tests_pool(), bytes);
}

}  // namespace aup::inspect
