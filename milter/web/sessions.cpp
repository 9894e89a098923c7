// Sessions and throttling, guarded by one mutex each: the HTTP server runs handlers on a pool.
#include "web/sessions.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>

namespace aup::web {

std::string random_token() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

bool same_token(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string SessionTable::open(const Account& account) {
  const std::string token = random_token();
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto now = Clock::now();
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.expires <= now; });
  sessions_[token] = Session{account, random_token(), now + lifetime_};
  return token;
}

std::optional<Session> SessionTable::find(const std::string& token) {
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto found = sessions_.find(token);
  if (found == sessions_.end()) return std::nullopt;
  if (found->second.expires <= Clock::now()) {
    sessions_.erase(found);
    return std::nullopt;
  }
  return found->second;
}

void SessionTable::close(const std::string& token) {
  const std::lock_guard<std::mutex> lock(mutex_);
  sessions_.erase(token);
}

std::chrono::seconds LoginThrottle::remaining(const Record& record, Clock::time_point now) const {
  if (record.until <= now) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(record.until - now);
}

std::chrono::seconds LoginThrottle::wait(const std::string& name, const std::string& address) {
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto now = Clock::now();
  return std::max(remaining(names_[name], now), remaining(addresses_[address], now));
}

void LoginThrottle::count(Record& record, int free_failures, Clock::time_point now) {
  ++record.failures;
  const int over = record.failures - free_failures;
  if (over < 0) return;
  const auto delay = std::chrono::minutes(1) * (1 << std::min(over, 6));
  record.until = now + std::min<Clock::duration>(delay, std::chrono::hours(1));
}

void LoginThrottle::failed(const std::string& name, const std::string& address) {
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto now = Clock::now();
  // Names are whatever was typed: forget the harmless records before they pile up.
  constexpr size_t kMaxRecords = 10000;
  for (auto* records : {&names_, &addresses_}) {
    if (records->size() > kMaxRecords) {
      std::erase_if(*records, [&](const auto& entry) { return entry.second.until <= now; });
    }
  }
  count(names_[name], kFreeFailuresPerName, now);
  count(addresses_[address], kFreeFailuresPerAddress, now);
}

void LoginThrottle::succeeded(const std::string& name) {
  const std::lock_guard<std::mutex> lock(mutex_);
  names_.erase(name);
}

}  // namespace aup::web
