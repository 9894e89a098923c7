#include "inspect/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

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

// The batch of `count` tasks, offered to up to `helpers` idle workers.
std::shared_ptr<TaskBatch> begin_batch(Executor& executor, size_t count,
                                       const std::function<void(size_t)>& task, size_t helpers) {
  auto batch = std::make_shared<TaskBatch>(count, task);
  helpers = std::min(helpers, executor.helpers());
  try {
    for (size_t i = 0; i < helpers; ++i) {
      // A job the executor refuses is work the caller does itself.
      if (!executor.post([batch] { batch->work(); })) break;
    }
  } catch (...) {
    // No memory for the job: the caller does the rest.
  }
  return batch;
}

}  // namespace

void for_each_in_parallel(Executor& executor, size_t count,
                          const std::function<void(size_t)>& task) {
  if (count == 0) return;
  if (count == 1 || executor.helpers() == 0) {
    for (size_t index = 0; index < count; ++index)
      task(index);
    return;
  }
  const auto batch = begin_batch(executor, count, task, count - 1);
  batch->work();
  batch->wait();
}

BackgroundTasks::BackgroundTasks(Executor& executor, size_t count, std::function<void(size_t)> task)
    : task_(std::move(task)) {
  if (count > 0) batch_ = begin_batch(executor, count, task_, count);
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

}  // namespace aup::inspect
