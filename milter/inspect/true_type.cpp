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
  magic_t acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        magic_t handle = idle_.back();
        idle_.pop_back();
        return handle;
      }
    }
    magic_t handle = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
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
  std::mutex mutex_;
  std::vector<magic_t> idle_;
};

MagicPool& pool() {
  static MagicPool* instance = new MagicPool();  // never destroyed: threads may outlive main
  return *instance;
}

}  // namespace

std::string true_type_of(std::string_view bytes) noexcept {
  try {
    magic_t handle = pool().acquire();
    if (handle == nullptr) return std::string(kUnknown);
    const char* type = magic_buffer(handle, bytes.data(), bytes.size());
    std::string result(type != nullptr ? std::string_view(type) : kUnknown);
    pool().release(handle);
    return result;
  } catch (...) {
    return std::string(kUnknown);
  }
}

}  // namespace aup::inspect
