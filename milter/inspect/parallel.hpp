// Independent pieces of one message's work spread over the executor's idle workers, so that a
// message with several attachments is not typed one attachment after another while other
// cores wait. With the sequential executor every task runs on the caller, in order.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "inspect/executor.hpp"

namespace aup::inspect {

struct TaskBatch;

// Calls task(0) .. task(count - 1), each once, some on the executor's workers, and returns
// when all have returned. The calling thread takes tasks too, so every task is done even when
// the workers are busy with other messages' work. task must not throw.
void for_each_in_parallel(Executor& executor, size_t count,
                          const std::function<void(size_t)>& task);

// Tasks begun now, for work that can overlap the caller's own: idle workers take them
// meanwhile. finish() has the caller run whatever no worker has taken, then waits for the
// rest; cancel() (and the destructor) drops what no worker has taken and waits only for
// what is running. task must not throw.
class BackgroundTasks {
 public:
  BackgroundTasks(Executor& executor, size_t count, std::function<void(size_t)> task);
  BackgroundTasks(const BackgroundTasks&) = delete;
  BackgroundTasks& operator=(const BackgroundTasks&) = delete;
  ~BackgroundTasks() { cancel(); }

  void finish() noexcept;
  void cancel() noexcept;

 private:
  std::function<void(size_t)> task_;  // the batch refers to it, so this object never moves
  std::shared_ptr<TaskBatch> batch_;
};

}  // namespace aup::inspect
