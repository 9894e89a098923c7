// Independent pieces of one message's work spread over idle cores, so that a message with
// several attachments is not typed one attachment after another while other cores wait.
#pragma once

#include <cstddef>
#include <functional>

namespace aup::inspect {

// Calls task(0) .. task(count - 1), each once, some on a small shared pool of worker threads,
// and returns when all have returned. The calling thread takes tasks too, so every task is
// done even when the pool is busy with other messages' work or could not be started. task
// must not throw.
void for_each_in_parallel(size_t count, const std::function<void(size_t)>& task);

// Runs job later on the same pool, for work that should not delay a message. False when it
// cannot (no worker threads, no memory), and then job is not run. job must not throw.
bool run_in_background(std::function<void()> job) noexcept;

}  // namespace aup::inspect
