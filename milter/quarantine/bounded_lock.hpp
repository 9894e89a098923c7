// A lock whose wait is bounded, made of a mutex and a condition variable.
//
// Not std::timed_mutex: its try_lock_for calls pthread_mutex_clocklock, which GCC 12's
// ThreadSanitizer does not intercept, so every later unlock is reported as "unlock of an
// unlocked mutex" and real races behind it would be hidden.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace aup::quarantine {

class BoundedLock {
 public:
  // Gives the lock back when it goes out of scope.
  class Turn {
   public:
    explicit Turn(BoundedLock& lock) noexcept : lock_(lock) {}
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    ~Turn() { lock_.give_back(); }

   private:
    BoundedLock& lock_;
  };

  // True when this thread has the lock, taken within `wait`; it must then make a Turn.
  [[nodiscard]] bool take(std::chrono::milliseconds wait) {
    std::unique_lock guard(mutex_);
    if (!freed_.wait_for(guard, wait, [this] { return !taken_; })) return false;
    taken_ = true;
    return true;
  }

 private:
  void give_back() noexcept {
    {
      const std::lock_guard guard(mutex_);
      taken_ = false;
    }
    freed_.notify_one();
  }

  std::mutex mutex_;
  std::condition_variable freed_;
  bool taken_ = false;
};

}  // namespace aup::quarantine
