// The clamd client: zINSTREAM over a non-blocking socket, every wait bounded by one deadline.
#include "scan/clamd_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0  // platforms without it get SO_NOSIGPIPE on the socket instead
#endif

namespace aup::scan {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kChunkBytes = 64 * 1024;
constexpr size_t kMaxReplyBytes = 4096;
constexpr std::string_view kCommand{"zINSTREAM\0", 10};

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

struct Endpoint {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

std::string errno_text(int error) {
  return std::generic_category().message(error);  // thread-safe, unlike strerror
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1 << 30));
}

// The revents that arrived before the deadline: 0 on timeout, -1 when poll itself fails.
int wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd entry{fd, events, 0};
    const int rc = ::poll(&entry, 1, remaining_ms(deadline));
    if (rc > 0) return entry.revents;
    if (rc == 0) return 0;
    if (errno != EINTR) return -1;
  }
}

Endpoint ip_endpoint(int family, const std::string& host, uint16_t port) {
  Endpoint endpoint;
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&endpoint.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    ::inet_pton(AF_INET, host.c_str(), &in->sin_addr);
    endpoint.length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&endpoint.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    ::inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr);
    endpoint.length = sizeof(sockaddr_in6);
  }
  return endpoint;
}

// Where to try, in order; "localhost" is 127.0.0.1, then ::1, without a resolver.
std::vector<Endpoint> endpoints(const ClamdAddress& address) {
  if (address.kind == ClamdAddress::Kind::unix_socket) {
    Endpoint endpoint;
    auto* un = reinterpret_cast<sockaddr_un*>(&endpoint.storage);
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, address.path.data(), address.path.size());  // length checked
    endpoint.length =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.path.size() + 1);
    return {endpoint};
  }
  if (address.host == "localhost") {
    return {ip_endpoint(AF_INET, "127.0.0.1", address.port),
            ip_endpoint(AF_INET6, "::1", address.port)};
  }
  in_addr v4{};
  const bool is_v4 = ::inet_pton(AF_INET, address.host.c_str(), &v4) == 1;
  return {ip_endpoint(is_v4 ? AF_INET : AF_INET6, address.host, address.port)};
}

int open_socket(const Endpoint& endpoint) {
  const int fd =
      ::socket(endpoint.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
#ifdef SO_NOSIGPIPE
  if (fd >= 0) {
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);
  }
#endif
  return fd;
}

// Finishes a non-blocking connect; an empty string means connected.
std::string await_connect(int fd, Clock::time_point deadline) {
  const int revents = wait_for(fd, POLLOUT, deadline);
  if (revents == 0) return "timed out connecting";
  if (revents < 0) return "poll failed: " + errno_text(errno);
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
  return error == 0 ? std::string() : "cannot connect: " + errno_text(error);
}

std::string connect_one(const Endpoint& endpoint, Clock::time_point deadline, Fd& out) {
  for (;;) {
    out.reset(open_socket(endpoint));
    if (out.get() < 0) return "cannot create a socket: " + errno_text(errno);
    const auto* sa = reinterpret_cast<const sockaddr*>(&endpoint.storage);
    if (::connect(out.get(), sa, endpoint.length) == 0) return {};
    if (errno == EINPROGRESS || errno == EINTR) return await_connect(out.get(), deadline);
    if (errno != EAGAIN) return "cannot connect: " + errno_text(errno);
    // A unix socket's listen queue is full: retry shortly, within the deadline.
    if (remaining_ms(deadline) == 0) return "timed out connecting (listen queue full)";
    ::poll(nullptr, 0, std::min(10, remaining_ms(deadline)));
  }
}

std::string connect_clamd(const ClamdAddress& address, Clock::time_point deadline, Fd& out) {
  std::string reason;
  for (const Endpoint& endpoint : endpoints(address)) {
    reason = connect_one(endpoint, deadline, out);
    if (reason.empty()) return reason;
  }
  out.reset();
  return reason;
}

enum class SendOutcome { sent, peer_spoke, failed };

SendOutcome send_failed(std::string& reason, std::string text) {
  reason = std::move(text);
  return SendOutcome::failed;
}

// Writes all of `data`, unless clamd speaks first (it replies early, e.g. on a size limit).
SendOutcome send_all(int fd, std::string_view data, Clock::time_point deadline,
                     std::string& reason) {
  while (!data.empty()) {
    const int revents = wait_for(fd, POLLOUT | POLLIN, deadline);
    if (revents == 0) return send_failed(reason, "timed out sending the stream");
    if (revents < 0) return send_failed(reason, "poll failed: " + errno_text(errno));
    if (revents & (POLLIN | POLLHUP | POLLERR)) return SendOutcome::peer_spoke;
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data.remove_prefix(static_cast<size_t>(n));
    } else if (errno == EPIPE || errno == ECONNRESET) {
      return SendOutcome::peer_spoke;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      return send_failed(reason, "cannot send: " + errno_text(errno));
    }
  }
  return SendOutcome::sent;
}

std::array<char, 4> chunk_length(size_t length) {
  const uint32_t network = htonl(static_cast<uint32_t>(length));
  std::array<char, 4> prefix{};
  std::memcpy(prefix.data(), &network, prefix.size());
  return prefix;
}

SendOutcome send_stream(int fd, std::string_view bytes, Clock::time_point deadline,
                        std::string& reason) {
  SendOutcome outcome = send_all(fd, kCommand, deadline, reason);
  while (outcome == SendOutcome::sent) {
    const std::string_view chunk = bytes.substr(0, kChunkBytes);
    bytes.remove_prefix(chunk.size());
    const auto prefix = chunk_length(chunk.size());
    outcome = send_all(fd, {prefix.data(), prefix.size()}, deadline, reason);
    if (outcome == SendOutcome::sent) outcome = send_all(fd, chunk, deadline, reason);
    if (chunk.empty()) break;  // the zero-length chunk ends the stream
  }
  return outcome;
}

// Reads up to the terminating NUL (or end of stream); an empty string means a reply arrived.
std::string read_reply(int fd, Clock::time_point deadline, std::string& reply) {
  std::array<char, 512> buffer{};
  while (reply.size() < kMaxReplyBytes) {
    const int revents = wait_for(fd, POLLIN, deadline);
    if (revents == 0) return "timed out waiting for the reply";
    if (revents < 0) return "poll failed: " + errno_text(errno);
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
    if (n < 0) return "cannot read the reply: " + errno_text(errno);
    if (n == 0) return reply.empty() ? "closed the connection without a reply" : std::string();
    reply.append(buffer.data(), static_cast<size_t>(n));
    const size_t nul = reply.find('\0');
    if (nul != std::string::npos) {
      reply.resize(nul);
      return {};
    }
  }
  return "reply longer than " + std::to_string(kMaxReplyBytes) + " bytes";
}

// Printable ASCII only, bounded: the text ends up in logs and SMTP replies.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 200))
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > 200) out += "...";
  return out;
}

ScanResult failure(const ClamdAddress& address, std::string_view reason) {
  ScanResult result;
  result.error = fmt::format("clamd at {}: {}", address.text, reason);
  return result;
}

ScanResult scan(const ClamdAddress& address, std::string_view bytes,
                std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  Fd fd;
  std::string reason = connect_clamd(address, deadline, fd);
  if (!reason.empty()) return failure(address, reason);
  const SendOutcome sent = send_stream(fd.get(), bytes, deadline, reason);
  if (sent == SendOutcome::failed) return failure(address, reason);
  std::string reply;
  reason = read_reply(fd.get(), deadline, reply);
  if (!reason.empty() && sent == SendOutcome::peer_spoke) {
    reason = "closed the connection while receiving the stream (" + reason + ")";
  }
  if (!reason.empty()) return failure(address, reason);
  return interpret_clamd_reply(address, reply);
}

}  // namespace

ScanResult interpret_clamd_reply(const ClamdAddress& address, std::string_view reply) {
  constexpr std::string_view kPrefix = "stream: ";
  constexpr std::string_view kFound = " FOUND";
  while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r'))
    reply.remove_suffix(1);
  ScanResult result;
  if (reply == "stream: OK") {
    result.status = ScanResult::Status::clean;
    return result;
  }
  const bool found = reply.size() > kPrefix.size() + kFound.size() &&
                     reply.substr(0, kPrefix.size()) == kPrefix &&
                     reply.substr(reply.size() - kFound.size()) == kFound;
  if (!found) return failure(address, "replied \"" + printable(reply) + "\"");
  result.status = ScanResult::Status::infected;
  result.signature =
      printable(reply.substr(kPrefix.size(), reply.size() - kPrefix.size() - kFound.size()));
  return result;
}

ScanResult scan_with_clamd(const ClamdAddress& address, std::string_view bytes,
                           std::chrono::milliseconds timeout) noexcept {
  try {
    return scan(address, bytes, timeout);
  } catch (...) {  // only allocation can throw here
    ScanResult result;
    result.error = "out of memory";
    return result;
  }
}

}  // namespace aup::scan
