// What one visitor may cost `aupctl serve`: time to send a request, its size, connections per
// address, and concurrent password checks. docs/web.md ("Limits") gives the figures measured.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace aup::web {

// Workers answering requests. More than kConnectionsPerAddress, so that one address holding
// all of its connections open leaves most workers to everybody else.
inline constexpr size_t kWorkers = 48;
// Concurrent connections from one address (trusted proxies exempt: they buffer requests).
inline constexpr size_t kConnectionsPerAddress = 16;
// A request (line, headers and body) must arrive whole within this time, or it gets 408:
// a client sending a byte a second cannot hold a worker longer than this.
inline constexpr std::chrono::seconds kRequestDeadline{10};
// The answer must be taken within this time (a client that reads slowly is cut off).
inline constexpr std::chrono::seconds kResponseDeadline{60};
// The request line and headers together, and their number of lines; more gets 431 before
// any of it is stored.
inline constexpr size_t kMaxHeadBytes = 32 * 1024;
inline constexpr size_t kMaxHeadLines = 100;
// Form bodies; the pages take nothing larger.
inline constexpr size_t kMaxBodyBytes = 16 * 1024;

// The per-connection bounds above, as one value (tests shorten the deadline).
struct ConnectionLimits {
  size_t per_address = kConnectionsPerAddress;
  std::chrono::milliseconds request_deadline = kRequestDeadline;
  std::chrono::milliseconds response_deadline = kResponseDeadline;
};

// Follows the bytes of a request head as they arrive: where it ends, and whether it broke
// a limit first. The head ends at the blank CRLF line (httplib skips lines ending in a bare
// LF, so "\n\r\n" is the only end it accepts).
class HeadScanner {
 public:
  enum class State { reading, complete, too_large, too_many_lines };

  // Takes the next bytes; returns how many belong to the head (all of them while reading).
  size_t feed(const char* data, size_t size);
  State state() const { return state_; }

 private:
  State state_ = State::reading;
  size_t bytes_ = 0;
  size_t lines_ = 0;
  char last_[2] = {0, 0};
};

// Counts open connections per address; acquire() refuses the one over the limit.
class AddressSlots {
 public:
  explicit AddressSlots(size_t per_address) : per_address_(per_address) {}
  bool acquire(const std::string& address);
  void release(const std::string& address);
  size_t open(const std::string& address);

 private:
  size_t per_address_;
  std::mutex mutex_;
  std::map<std::string, size_t> open_;
};

// Password checks (argon2id, 64 MiB each) running at once: at most `running`; up to `waiting`
// more wait at most `patience` for a turn; beyond that the caller is told to come back, so
// that neither memory nor workers are spent without bound.
class VerifyGate {
 public:
  VerifyGate(size_t running, size_t waiting, std::chrono::milliseconds patience)
      : running_limit_(running), waiting_limit_(waiting), patience_(patience) {}

  // A turn, held until the Turn is destroyed; false when none came.
  class Turn {
   public:
    explicit Turn(VerifyGate& gate) : gate_(gate), granted_(gate.enter()) {}
    ~Turn() {
      if (granted_) gate_.leave();
    }
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    explicit operator bool() const { return granted_; }

   private:
    VerifyGate& gate_;
    bool granted_;
  };

 private:
  bool enter();
  void leave();

  size_t running_limit_, waiting_limit_;
  std::chrono::milliseconds patience_;
  std::mutex mutex_;
  std::condition_variable turn_;
  size_t running_ = 0, waiting_ = 0;
};

inline constexpr size_t kConcurrentVerifications = 2;
inline constexpr size_t kWaitingVerifications = 8;
inline constexpr std::chrono::milliseconds kVerificationPatience{5000};

}  // namespace aup::web
