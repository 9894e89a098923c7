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

std::string SessionTable::open(const Account& account, const std::string& credential) {
  const std::string token = random_token();
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto now = Clock::now();
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second.expires <= now; });
  sessions_[token] = Session{account, credential, random_token(), now + lifetime_};
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

std::chrono::seconds LoginThrottle::remaining(const Records& records, const std::string& key,
                                              Clock::time_point now) {
  const auto found = records.find(key);
  if (found == records.end() || found->second.until <= now) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(found->second.until - now);
}

std::chrono::seconds LoginThrottle::wait(const std::string& name, const std::string& address) {
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto now = Clock::now();
  return std::max(remaining(names_, name, now), remaining(addresses_, address, now));
}

void LoginThrottle::count(Records& records, const std::string& key, int free_failures,
                          Clock::time_point now) {
  if (records.size() >= kMaxRecords) {
    // Forget what is stale; if a flood of names still fills the map, keep counting the
    // current one only (its own lockout stays exact).
    std::erase_if(records, [&](const auto& entry) {
      return entry.second.until <= now && now - entry.second.last > kForgetAfter;
    });
    if (records.size() >= kMaxRecords && !records.contains(key)) return;
  }
  Record& record = records[key];
  if (now - record.last > kForgetAfter && record.until <= now) record.failures = 0;
  record.last = now;
  ++record.failures;
  const int over = record.failures - free_failures;
  if (over < 0) return;
  const auto delay = std::chrono::minutes(1) * (1 << std::min(over, 6));
  record.until = now + std::min<Clock::duration>(delay, std::chrono::hours(1));
}

void LoginThrottle::failed(const std::string& name, const std::string& address) {
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto now = Clock::now();
  count(names_, name, kFreeFailuresPerName, now);
  count(addresses_, address, kFreeFailuresPerAddress, now);
}

void LoginThrottle::succeeded(const std::string& name, const std::string& address) {
  const std::lock_guard<std::mutex> lock(mutex_);
  names_.erase(name);
  addresses_.erase(address);
}

}  // namespace aup::web
