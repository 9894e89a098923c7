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
  std::string credential;  // the password hash signed in with: a new password ends the session
  std::string csrf;        // every form of this session carries it
  Clock::time_point expires;
};

class SessionTable {
 public:
  explicit SessionTable(std::chrono::minutes lifetime) : lifetime_(lifetime) {}

  // A new session; returns its token (the cookie's value).
  std::string open(const Account& account, const std::string& credential);
  std::optional<Session> find(const std::string& token);
  void close(const std::string& token);

 private:
  std::chrono::minutes lifetime_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;
};

// After kFreeFailuresPerName wrong passwords for one account name, or kFreeFailuresPerAddress
// from one address (a council office shares one behind its NAT), further tries wait: one minute,
// doubling with each failure, at most an hour. Failures are forgotten kForgetAfter after the
// last one, and a success clears its name and address.
class LoginThrottle {
 public:
  static constexpr int kFreeFailuresPerName = 5;
  static constexpr int kFreeFailuresPerAddress = 20;
  static constexpr std::chrono::minutes kForgetAfter{15};
  static constexpr size_t kMaxRecords = 100000;  // per map; names are at most 64 characters

  // How long the caller must still wait before another try; zero when it may try now.
  std::chrono::seconds wait(const std::string& name, const std::string& address);
  void failed(const std::string& name, const std::string& address);
  void succeeded(const std::string& name, const std::string& address);

 private:
  struct Record {
    int failures = 0;
    Clock::time_point until{};
    Clock::time_point last{};
  };
  using Records = std::map<std::string, Record>;
  static void count(Records& records, const std::string& key, int free_failures,
                    Clock::time_point now);
  static std::chrono::seconds remaining(const Records& records, const std::string& key,
                                        Clock::time_point now);

  std::mutex mutex_;
  Records names_, addresses_;
};

}  // namespace aup::web
