// Signed-in sessions and sign-in throttling for the web pages, in memory: a restart signs
// everybody out, which is the safe direction.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "web/accounts.hpp"

namespace aup::web {

using Clock = std::chrono::steady_clock;

// 32 random bytes as 64 hexadecimal digits.
std::string random_token();
// Comparison whose time does not depend on where the strings differ.
bool same_token(const std::string& a, const std::string& b);

struct Session {
  Account account;
  std::string csrf;  // every form of this session carries it
  Clock::time_point expires;
};

class SessionTable {
 public:
  explicit SessionTable(std::chrono::minutes lifetime) : lifetime_(lifetime) {}

  // A new session; returns its token (the cookie's value).
  std::string open(const Account& account);
  std::optional<Session> find(const std::string& token);
  void close(const std::string& token);

 private:
  std::chrono::minutes lifetime_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;
};

// After kFreeFailuresPerName wrong passwords for one account name, or kFreeFailuresPerAddress
// from one address (a council office shares one behind its NAT), further tries wait: one minute,
// doubling with each failure, at most an hour. A success clears the name.
class LoginThrottle {
 public:
  static constexpr int kFreeFailuresPerName = 5;
  static constexpr int kFreeFailuresPerAddress = 20;

  // How long the caller must still wait before another try; zero when it may try now.
  std::chrono::seconds wait(const std::string& name, const std::string& address);
  void failed(const std::string& name, const std::string& address);
  void succeeded(const std::string& name);

 private:
  struct Record {
    int failures = 0;
    Clock::time_point until{};
  };
  static void count(Record& record, int free_failures, Clock::time_point now);
  std::chrono::seconds remaining(const Record& record, Clock::time_point now) const;

  std::mutex mutex_;
  std::map<std::string, Record> names_, addresses_;
};

}  // namespace aup::web
