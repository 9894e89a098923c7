// GuardedServer over real loopback sockets: slow clients are cut off at the deadline without
// holding up others, an address over its connection cap is told so, and an oversized head or
// body is refused before httplib stores it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "web/guarded_server.hpp"

using namespace aup::web;
using namespace std::chrono_literals;

namespace {

// A GuardedServer answering GET /ping on a free loopback port, stopped when it goes.
class PingServer {
 public:
  explicit PingServer(ConnectionLimits limits) : server_({}, limits) {
    server_.Get("/ping", [](const httplib::Request&, httplib::Response& r) {
      r.set_content("pong", "text/plain");
    });
    server_.Post("/ping", [](const httplib::Request& q, httplib::Response& r) {
      r.set_content(std::to_string(q.body.size()), "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running())
      std::this_thread::sleep_for(10ms);
  }
  ~PingServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }

 private:
  GuardedServer server_;
  int port_ = 0;
  std::thread thread_;
};

// A connection from `source` (any 127.x.y.z address is loopback on Linux).
int connect_from(const char* source, int port) {
  const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, source, &local.sin_addr);
  REQUIRE(::bind(sock, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
  REQUIRE(::connect(sock, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0);
  timeval patience{5, 0};
  setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  return sock;
}

void send_text(int sock, const std::string& text) {
  for (size_t sent = 0; sent < text.size();) {
    const ssize_t n = ::send(sock, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;  // the server may stop listening once it has answered
    sent += static_cast<size_t>(n);
  }
}

// Everything the server sends until it closes (or 5 s pass).
std::string answer(int sock) {
  std::string out;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(sock, buffer, sizeof buffer, 0)) > 0;)
    out.append(buffer, static_cast<size_t>(n));
  ::close(sock);
  return out;
}

std::string status_line(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

std::string get(const char* source, int port) {
  const int sock = connect_from(source, port);
  send_text(sock, "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
  return answer(sock);
}

}  // namespace

TEST_CASE("slow clients are cut off at the deadline and hold nobody else up", "[web]") {
  PingServer server({.per_address = 4, .request_deadline = 1500ms});
  std::vector<int> slow;
  for (int i = 0; i < 4; ++i) {
    slow.push_back(connect_from("127.0.0.2", server.port()));
    send_text(slow.back(), "GET /ping HTTP/1.1\r\n");  // and nothing more, for now
  }
  std::this_thread::sleep_for(200ms);
  // One more from the same address is refused at once; other addresses are served.
  CHECK(status_line(get("127.0.0.2", server.port())) == "HTTP/1.1 503 Service Unavailable");
  const auto started = std::chrono::steady_clock::now();
  const std::string normal = get("127.0.0.3", server.port());
  CHECK(status_line(normal) == "HTTP/1.1 200 OK");
  CHECK(std::chrono::steady_clock::now() - started < 1s);
  // A header byte every 200 ms does not keep a request alive past the deadline.
  for (int tick = 0; tick < 5; ++tick) {
    for (int sock : slow)
      send_text(sock, "X");
    std::this_thread::sleep_for(200ms);
  }
  for (int sock : slow) {
    const std::string response = answer(sock);
    CHECK(status_line(response) == "HTTP/1.1 408 Request Timeout");
  }
  CHECK(status_line(get("127.0.0.2", server.port())) == "HTTP/1.1 200 OK");
}

TEST_CASE("100,000 header lines are refused after the first hundred", "[web]") {
  PingServer server({});
  const int sock = connect_from("127.0.0.1", server.port());
  std::thread sender([sock] {
    std::string head = "GET /ping HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 100000; ++i)
      head += "X-Filler-" + std::to_string(i) + ": x\r\n";
    send_text(sock, head + "\r\n");
  });
  const std::string response = answer(sock);
  sender.join();
  CHECK(status_line(response) == "HTTP/1.1 431 Request Header Fields Too Large");
  CHECK_THAT(response, Catch::Contains("more than 100 header lines"));
  CHECK(status_line(get("127.0.0.1", server.port())) == "HTTP/1.1 200 OK");
}

TEST_CASE("an oversized header line or body is refused", "[web]") {
  PingServer server({});
  int sock = connect_from("127.0.0.1", server.port());
  send_text(sock, "GET /ping HTTP/1.1\r\nX-Long: " + std::string(kMaxHeadBytes, 'a') + "\r\n\r\n");
  CHECK(status_line(answer(sock)) == "HTTP/1.1 431 Request Header Fields Too Large");
  // A body longer than the form limit (bytes past a Content-Length are never read).
  sock = connect_from("127.0.0.1", server.port());
  send_text(sock, "POST /ping HTTP/1.1\r\nContent-Length: " + std::to_string(kMaxBodyBytes + 10) +
                      "\r\n\r\n" + std::string(kMaxBodyBytes + 10, 'b'));
  CHECK(status_line(answer(sock)) == "HTTP/1.1 413 Payload Too Large");
  sock = connect_from("127.0.0.1", server.port());
  send_text(sock, "POST /ping HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  const std::string response = answer(sock);
  CHECK(status_line(response) == "HTTP/1.1 200 OK");
  CHECK(response.substr(response.size() - 1) == "5");
}
