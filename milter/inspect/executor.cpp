#include "inspect/executor.hpp"

#include <algorithm>

namespace aup::inspect {
namespace {

class Sequential final : public Executor {
 public:
  bool post(std::function<void()> /*job*/) noexcept override { return false; }
  size_t helpers() const noexcept override { return 0; }
};

}  // namespace

Executor& sequential_executor() noexcept {
  static Sequential instance;  // holds nothing, so destroying it at exit harms no one
  return instance;
}

ThreadPool::ThreadPool(unsigned threads) {
  for (unsigned i = 0; i < threads; ++i) {
    try {
      threads_.emplace_back([this] { serve(); });
    } catch (...) {
      break;  // fewer helpers; callers still do all the work themselves
    }
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  ready_.notify_all();
  for (std::thread& thread : threads_)
    thread.join();
}

bool ThreadPool::post(std::function<void()> job) noexcept {
  if (threads_.empty()) return false;
  try {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    queue_.push_back(std::move(job));
  } catch (...) {
    return false;  // no memory for the queue
  }
  ready_.notify_one();
  return true;
}

unsigned ThreadPool::threads_for_this_machine() noexcept {
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  return std::min(cores - 1, 3U);
}

void ThreadPool::serve() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

}  // namespace aup::inspect
