// The bounds of limits.hpp, each guarded by its own mutex: workers check them concurrently.
#include "web/limits.hpp"

namespace aup::web {

size_t HeadScanner::feed(const char* data, size_t size) {
  size_t used = 0;
  while (used < size && state_ == State::reading) {
    const char c = data[used++];
    ++bytes_;
    if (c == '\n') ++lines_;
    if (c == '\n' && last_[1] == '\r' && last_[0] == '\n') {
      state_ = State::complete;
    } else if (bytes_ > kMaxHeadBytes) {
      state_ = State::too_large;
    } else if (lines_ > kMaxHeadLines) {
      state_ = State::too_many_lines;
    }
    last_[0] = last_[1];
    last_[1] = c;
  }
  return used;
}

bool AddressSlots::acquire(const std::string& address) {
  const std::lock_guard<std::mutex> lock(mutex_);
  size_t& count = open_[address];
  if (count >= per_address_) {
    if (count == 0) open_.erase(address);
    return false;
  }
  ++count;
  return true;
}

void AddressSlots::release(const std::string& address) {
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto found = open_.find(address);
  if (found == open_.end()) return;
  // Forget addresses with nothing open, so that the map is as large as the connections.
  if (--found->second == 0) open_.erase(found);
}

size_t AddressSlots::open(const std::string& address) {
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto found = open_.find(address);
  return found == open_.end() ? 0 : found->second;
}

bool VerifyGate::enter() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (running_ < running_limit_) {
    ++running_;
    return true;
  }
  if (waiting_ >= waiting_limit_) return false;
  ++waiting_;
  const bool turn = turn_.wait_for(lock, patience_, [this] { return running_ < running_limit_; });
  --waiting_;
  if (turn) ++running_;
  return turn;
}

void VerifyGate::leave() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    --running_;
  }
  turn_.notify_one();
}

}  // namespace aup::web
