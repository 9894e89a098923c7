// The policy in force. A reload builds a new policy completely, then swaps it in; each message
// pins the policy it started with, so messages in flight finish on it.
#pragma once

#include <memory>
#include <mutex>

#include "engine/policy.hpp"

namespace aup::daemon {

class PolicyHolder {
 public:
  explicit PolicyHolder(std::shared_ptr<const Policy> policy) : policy_(std::move(policy)) {}

  std::shared_ptr<const Policy> current() const {
    std::lock_guard lock(mutex_);
    return policy_;
  }

  void replace(std::shared_ptr<const Policy> policy) {
    std::lock_guard lock(mutex_);
    policy_.swap(policy);
  }  // the old policy is freed here, outside no lock, once its last message is done

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Policy> policy_;
};

}  // namespace aup::daemon
