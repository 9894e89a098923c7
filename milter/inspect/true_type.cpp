// libmagic handles are not thread-safe, so each call borrows one from a pool.
#include "inspect/true_type.hpp"

#include <magic.h>

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace aup::inspect {
namespace {

constexpr std::string_view kUnknown = "application/octet-stream";

// A libmagic handle holds on to memory from glibc's regex compiler (heaptrack: 3 MB still held
// by regcomp after 15,000 messages of the soak test) and keeps growing as it meets new kinds of
// text. So each handle is closed after a few hundred buffers and a fresh one loaded (about
// 0.1 ms: the database is mapped, not read).
constexpr unsigned kBuffersPerHandle = 256;

// A fresh handle compiles libmagic's regular expressions as it first meets them: its first
// text costs some 1.6 ms more than the next. A replacement is given this text first, on a
// background thread, so that no message waits for that.
constexpr std::string_view kWarmUpText =
    "Dear colleagues,\r\n\r\nPlease find the minutes of Tuesday's meeting below. The next "
    "meeting is on 4 March at 10:00 in room 2.13.\r\n\r\n1. Apologies: none.\r\n2. Budget "
    "(see the attached figures; totals are \"provisional\").\r\n\r\nRegards,\r\nJo\r\n";

}  // namespace

class MagicPool : public std::enable_shared_from_this<MagicPool> {
 public:
  MagicPool(int flags, Executor& background) : flags_(flags), background_(background) {}
  ~MagicPool() {
    for (const Handle& handle : idle_)
      magic_close(handle.magic);
  }
  MagicPool(const MagicPool&) = delete;
  MagicPool& operator=(const MagicPool&) = delete;

  struct Handle {
    magic_t magic = nullptr;
    unsigned uses = 0;
  };

  Handle acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        Handle handle = idle_.back();
        idle_.pop_back();
        return handle;
      }
    }
    return load();
  }

  void release(Handle handle) {
    if (handle.magic == nullptr) return;
    if (++handle.uses >= kBuffersPerHandle) {
      magic_close(handle.magic);
      replace_in_background();
      return;
    }
    keep(handle);
  }

 private:
  Handle load() const {
    magic_t magic = magic_open(flags_);
    if (magic != nullptr && magic_load(magic, nullptr) != 0) {
      magic_close(magic);
      magic = nullptr;
    }
    return {magic, 0};
  }

  void keep(Handle handle) {
    try {
      std::lock_guard lock(mutex_);
      idle_.push_back(handle);
    } catch (...) {
      magic_close(handle.magic);
    }
  }

  // The job keeps the pool alive until it is done, whoever has let go of it meanwhile.
  void replace_in_background() noexcept {
    try {
      background_.post([pool = shared_from_this()] {
        const Handle fresh = pool->load();
        if (fresh.magic == nullptr) return;
        magic_buffer(fresh.magic, kWarmUpText.data(), kWarmUpText.size());
        pool->keep(fresh);
      });
    } catch (...) {
      // No memory for the job: the next caller loads a handle itself.
    }
  }

  const int flags_;
  Executor& background_;
  std::mutex mutex_;
  std::vector<Handle> idle_;
};

namespace {

constexpr int kAllTests = MAGIC_MIME_TYPE | MAGIC_ERROR;
constexpr int kBinaryTests = kAllTests | MAGIC_NO_CHECK_TEXT | MAGIC_NO_CHECK_ENCODING |
                             MAGIC_NO_CHECK_CSV | MAGIC_NO_CHECK_JSON;

std::string type_with(MagicPool& pool, std::string_view bytes) noexcept {
  try {
    const MagicPool::Handle handle = pool.acquire();
    if (handle.magic == nullptr) return std::string(kUnknown);
    const char* type = magic_buffer(handle.magic, bytes.data(), bytes.size());
    std::string result(type != nullptr ? std::string_view(type) : kUnknown);
    pool.release(handle);
    return result;
  } catch (...) {
    return std::string(kUnknown);
  }
}

}  // namespace

TypeDetector::TypeDetector(Executor& background)
    : all_tests_(std::make_shared<MagicPool>(kAllTests, background)),
      binary_tests_(std::make_shared<MagicPool>(kBinaryTests, background)) {}

TypeDetector::~TypeDetector() = default;

std::string TypeDetector::true_type_of(std::string_view bytes) const noexcept {
  return type_with(*all_tests_, bytes);
}

std::string TypeDetector::binary_type_of(std::string_view bytes) const noexcept {
  return type_with(*binary_tests_, bytes);
}

}  // namespace aup::inspect
