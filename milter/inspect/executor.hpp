// Where one message's independent pieces of work run. The engine only asks; the front end that
// owns the process decides. aupctl and the tests run everything on the calling thread, in
// order, so their results and timings do not depend on what else the machine is doing; the
// daemon gives a small pool, so that a message's attachments are typed on idle cores.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace aup::inspect {

class Executor {
 public:
  virtual ~Executor() = default;

  // Runs job later, on another thread. False when it cannot (no worker, no memory): then job
  // is not run, and the caller does the work itself. job must not throw.
  virtual bool post(std::function<void()> job) noexcept = 0;

  // How many jobs may run beside the caller at once; 0 when post() never accepts one.
  virtual size_t helpers() const noexcept = 0;
};

// Posts nothing: every task runs on the thread that asks, in order.
Executor& sequential_executor() noexcept;

// Worker threads started when the pool is made and joined when it is destroyed (jobs not yet
// begun are dropped then). Make it after any fork not followed by exec: a child would
// inherit a pool without threads.
class ThreadPool final : public Executor {
 public:
  // Fewer threads than asked when the system refuses some; helpers() says how many.
  explicit ThreadPool(unsigned threads);
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool() override;

  bool post(std::function<void()> job) noexcept override;
  size_t helpers() const noexcept override { return threads_.size(); }

  // One fewer than the cores, at most 3: the caller works too, and other messages want cores.
  static unsigned threads_for_this_machine() noexcept;

 private:
  void serve();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // last: started once the rest exists
};

}  // namespace aup::inspect
