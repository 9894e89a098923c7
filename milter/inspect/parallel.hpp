// Independent pieces of one message's work spread over idle cores, so that a message with
// several attachments is not typed one attachment after another while other cores wait.
// The pool's threads start at its first use, which must come after any fork that is not
// followed by exec (the daemon forks before it reads any mail): a child would inherit a pool
// without threads, whose background jobs never run.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace aup::inspect {

struct TaskBatch;

// Calls task(0) .. task(count - 1), each once, some on a small shared pool of worker threads,
// and returns when all have returned. The calling thread takes tasks too, so every task is
// done even when the pool is busy with other messages' work or could not be started. task
// must not throw.
void for_each_in_parallel(size_t count, const std::function<void(size_t)>& task);

// Tasks begun now, for work that can overlap the caller's own: idle workers take them
// meanwhile. finish() has the caller run whatever no worker has taken, then waits for the
// rest; cancel() (and the destructor) drops what no worker has taken and waits only for
// what is running. task must not throw.
class BackgroundTasks {
 public:
  BackgroundTasks(size_t count, std::function<void(size_t)> task);
  BackgroundTasks(const BackgroundTasks&) = delete;
  BackgroundTasks& operator=(const BackgroundTasks&) = delete;
  ~BackgroundTasks() { cancel(); }

  void finish() noexcept;
  void cancel() noexcept;

 private:
  std::function<void(size_t)> task_;  // the batch refers to it, so this object never moves
  std::shared_ptr<TaskBatch> batch_;
};

// Runs job later on the same pool, for work that should not delay a message. False when it
// cannot (no worker threads, no memory), and then job is not run. job must not throw.
bool run_in_background(std::function<void()> job) noexcept;

}  // namespace aup::inspect
