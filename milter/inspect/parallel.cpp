#include "inspect/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace aup::inspect {

// One call's tasks. Whoever takes an index runs that task; the caller waits until every task
// taken has finished, since a worker may still be running one after the caller ran out.
struct TaskBatch {
  TaskBatch(size_t tasks, const std::function<void(size_t)>& run) : count(tasks), task(run) {}

  // Runs tasks until none is left to take.
  void work() {
    for (size_t index; (index = next.fetch_add(1)) < count;) {
      task(index);
      if (finished.fetch_add(1) + 1 == count) {
        std::lock_guard lock(mutex);
        done.notify_all();
      }
    }
  }

  // Takes every task no one has taken yet, without running it.
  void cancel() {
    const size_t taken = std::min(next.exchange(count), count);
    if (taken < count && finished.fetch_add(count - taken) + (count - taken) == count) {
      std::lock_guard lock(mutex);
      done.notify_all();
    }
  }

  void wait() {
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return finished.load() == count; });
  }

  const size_t count;
  const std::function<void(size_t)>& task;
  std::atomic<size_t> next = 0;
  std::atomic<size_t> finished = 0;
  std::mutex mutex;
  std::condition_variable done;
};

namespace {

class Pool {
 public:
  // Workers are detached and the pool never destroyed: they hold nothing but the pool itself
  // and batches kept alive by their callers, and the process may exit while they wait.
  Pool() {
    const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
    for (unsigned i = 0; i + 1 < std::min(cores, kMaxThreads + 1); ++i) {
      try {
        std::thread([this] { serve(); }).detach();
        ++threads_;
      } catch (...) {
        break;  // fewer helpers; callers still do all the work themselves
      }
    }
  }

  // Asks up to `helpers` idle workers to join in.
  void offer(const std::shared_ptr<TaskBatch>& batch, size_t helpers) {
    helpers = std::min<size_t>(helpers, threads_);
    for (size_t i = 0; i < helpers; ++i)
      post([batch] { batch->work(); });
  }

  // False when there is no worker to run it.
  bool post(std::function<void()> job) {
    if (threads_ == 0) return false;
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(job));
    }
    ready_.notify_one();
    return true;
  }

 private:
  static constexpr unsigned kMaxThreads = 3;

  void serve() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [&] { return !queue_.empty(); });
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }

  unsigned threads_ = 0;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
};

Pool& pool() {
  static Pool* instance = new Pool();
  return *instance;
}

// The batch of `count` tasks, offered to up to `helpers` idle workers.
std::shared_ptr<TaskBatch> begin_batch(size_t count, const std::function<void(size_t)>& task,
                                       size_t helpers) {
  auto batch = std::make_shared<TaskBatch>(count, task);
  try {
    pool().offer(batch, helpers);
  } catch (...) {
    // No memory for the queue: the caller does it all.
  }
  return batch;
}

}  // namespace

void for_each_in_parallel(size_t count, const std::function<void(size_t)>& task) {
  if (count == 0) return;
  if (count == 1) return task(0);
  const auto batch = begin_batch(count, task, count - 1);
  batch->work();
  batch->wait();
}

BackgroundTasks::BackgroundTasks(size_t count, std::function<void(size_t)> task)
    : task_(std::move(task)) {
  if (count > 0) batch_ = begin_batch(count, task_, count);
}

void BackgroundTasks::finish() noexcept {
  if (!batch_) return;
  batch_->work();
  batch_->wait();
  batch_.reset();
}

void BackgroundTasks::cancel() noexcept {
  if (!batch_) return;
  batch_->cancel();
  batch_->wait();
  batch_.reset();
}

bool run_in_background(std::function<void()> job) noexcept {
  try {
    return pool().post(std::move(job));
  } catch (...) {
    return false;
  }
}

}  // namespace aup::inspect
