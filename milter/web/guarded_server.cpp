// Each connection carries one request, read through a stream that enforces the deadline and
// the head limits as the bytes arrive, so that no slow or oversized request can hold a worker
// or memory for long. A refused request gets its answer written here directly.
#include "web/guarded_server.hpp"

#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace aup::web {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Milliseconds left until `deadline`, for poll(); 0 once it has passed.
int remaining_ms(SteadyClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return static_cast<int>(std::clamp<long>(left.count(), 0, 60 * 60 * 1000));
}

bool wait_for(int sock, short events, SteadyClock::time_point deadline) {
  pollfd entry{sock, events, 0};
  int ready = 0;
  do {
    ready = ::poll(&entry, 1, remaining_ms(deadline));
  } while (ready < 0 && errno == EINTR);
  return ready > 0;
}

std::string numeric_host(const sockaddr_storage& address, socklen_t length, int& port) {
  char host[NI_MAXHOST] = "";
  char service[NI_MAXSERV] = "";
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, host, sizeof host, service,
                    sizeof service, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    port = -1;
    return "";
  }
  port = std::atoi(service);
  return host;
}

class LimitedStream : public httplib::Stream {
 public:
  LimitedStream(int sock, const ConnectionLimits& limits)
      : sock_(sock),
        limits_(limits),
        read_deadline_(SteadyClock::now() + limits.request_deadline) {}

  bool is_readable() const override {
    return offset_ < filled_ || wait_for(sock_, POLLIN, read_deadline_);
  }
  bool is_writable() const override { return wait_for(sock_, POLLOUT, write_deadline()); }

  ssize_t read(char* ptr, size_t size) override {
    if (refused_) return -1;
    if (offset_ == filled_ && !fill()) return refused_ || failed_ ? -1 : 0;
    const size_t n = std::min(size, filled_ - offset_);
    std::copy_n(buffer_.data() + offset_, n, ptr);
    offset_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (refused_) return static_cast<ssize_t>(size);  // httplib's own answer; ours went out
    if (!writing_) {
      writing_ = true;
      write_deadline_ = SteadyClock::now() + limits_.response_deadline;
    }
    if (!wait_for(sock_, POLLOUT, write_deadline_)) return -1;
    return ::send(sock_, ptr, size, MSG_NOSIGNAL);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    ip = ::getpeername(sock_, reinterpret_cast<sockaddr*>(&address), &length) == 0
             ? numeric_host(address, length, port)
             : "";
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    ip = ::getsockname(sock_, reinterpret_cast<sockaddr*>(&address), &length) == 0
             ? numeric_host(address, length, port)
             : "";
  }
  socket_t socket() const override { return sock_; }

  // Answers at once with `status` and a short text, and ends the request.
  void refuse(int status, const char* reason, const std::string& text) {
    const std::string answer = fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n"
        "Connection: close\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n"
        "\r\n{}\n",
        status, reason, text.size() + 1, text);
    refused_ = true;
    if (wait_for(sock_, POLLOUT, SteadyClock::now() + std::chrono::seconds(5)))
      (void)::send(sock_, answer.data(), answer.size(), MSG_NOSIGNAL);
  }
  bool refused() const { return refused_; }

 private:
  SteadyClock::time_point write_deadline() const {
    return writing_ ? write_deadline_ : SteadyClock::now() + limits_.response_deadline;
  }

  // The next bytes from the socket, checked against the limits before httplib sees them.
  bool fill() {
    if (!wait_for(sock_, POLLIN, read_deadline_)) {
      refuse(408, "Request Timeout",
             fmt::format("The request did not arrive within {:g} seconds.",
                         static_cast<double>(limits_.request_deadline.count()) / 1000));
      return false;
    }
    const ssize_t got = ::recv(sock_, buffer_.data(), buffer_.size(), 0);
    if (got <= 0) {
      failed_ = got < 0;
      return false;
    }
    offset_ = 0;
    filled_ = static_cast<size_t>(got);
    const size_t head = scanner_.feed(buffer_.data(), filled_);
    if (scanner_.state() == HeadScanner::State::complete) body_ += filled_ - head;
    return check();
  }

  bool check() {
    switch (scanner_.state()) {
      case HeadScanner::State::too_large:
        refuse(431, "Request Header Fields Too Large",
               fmt::format("The request's headers exceed {} bytes.", kMaxHeadBytes));
        return false;
      case HeadScanner::State::too_many_lines:
        refuse(431, "Request Header Fields Too Large",
               fmt::format("The request has more than {} header lines.", kMaxHeadLines));
        return false;
      case HeadScanner::State::complete:
        if (body_ <= kMaxBodyBytes) return true;
        refuse(413, "Payload Too Large",
               fmt::format("The request's body exceeds {} bytes.", kMaxBodyBytes));
        return false;
      case HeadScanner::State::reading:
        return true;
    }
    return false;
  }

  int sock_;
  ConnectionLimits limits_;
  SteadyClock::time_point read_deadline_, write_deadline_{};
  std::array<char, 4096> buffer_{};
  size_t offset_ = 0, filled_ = 0, body_ = 0;
  HeadScanner scanner_;
  bool refused_ = false, failed_ = false, writing_ = false;
};

// After a refusal the client may still be sending: read and drop a bounded amount, so that
// closing does not reset the connection before the client has read the answer.
void drain(int sock) {
  ::shutdown(sock, SHUT_WR);
  const auto until = SteadyClock::now() + std::chrono::seconds(2);
  std::array<char, 16384> sink{};
  for (size_t dropped = 0; dropped < 8 * 1024 * 1024 && wait_for(sock, POLLIN, until);) {
    const ssize_t got = ::recv(sock, sink.data(), sink.size(), 0);
    if (got <= 0) break;
    dropped += static_cast<size_t>(got);
  }
}

}  // namespace

GuardedServer::GuardedServer(std::vector<std::string> proxies, ConnectionLimits limits)
    : proxies_(std::move(proxies)), limits_(limits), slots_(limits.per_address) {
  new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  set_payload_max_length(kMaxBodyBytes);
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  LimitedStream stream(sock, limits_);
  std::string peer;
  int port = 0;
  stream.get_remote_ip_and_port(peer, port);
  const bool capped = std::find(proxies_.begin(), proxies_.end(), peer) == proxies_.end();
  bool answered = false;
  if (capped && !slots_.acquire(peer)) {
    stream.refuse(503, "Service Unavailable",
                  fmt::format("More than {} connections from your address at once; try again "
                              "in a moment.",
                              limits_.per_address));
  } else {
    bool closed = false;
    try {
      answered = process_request(stream, true, closed, nullptr);
    } catch (...) {
      // process_request handles the handlers' exceptions; anything else ends the connection.
    }
    if (capped) slots_.release(peer);
  }
  if (stream.refused()) drain(sock);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return answered;
}

}  // namespace aup::web
