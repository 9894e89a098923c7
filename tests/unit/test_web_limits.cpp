// What one visitor may cost the review pages: the head scanner, connection and verification
// limits, forwarded client addresses, and filter validation. The server itself is tested over
// real sockets in test_web_server_limits.cpp.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "web/limits.hpp"
#include "web/proxies.hpp"
#include "web/queries.hpp"

using namespace aup::web;

TEST_CASE("the request head ends at its blank CRLF line", "[web]") {
  HeadScanner scanner;
  const std::string head = "GET / HTTP/1.1\r\nHost: x\r\n\r\nbody";
  CHECK(scanner.feed(head.data(), 10) == 10);
  CHECK(scanner.state() == HeadScanner::State::reading);
  CHECK(scanner.feed(head.data() + 10, head.size() - 10) == head.size() - 10 - 4);
  CHECK(scanner.state() == HeadScanner::State::complete);
}

TEST_CASE("a head with too many lines or bytes is stopped as it arrives", "[web]") {
  HeadScanner lines;
  std::string many = "GET / HTTP/1.1\r\n";
  for (size_t i = 0; i < kMaxHeadLines; ++i)
    many += "X-A: 1\r\n";
  const size_t used = lines.feed(many.data(), many.size());
  CHECK(lines.state() == HeadScanner::State::too_many_lines);
  CHECK(used == many.size());  // the 101st line ends with the last byte
  HeadScanner bytes;
  const std::string long_line = "GET / HTTP/1.1\r\nX-A: " + std::string(kMaxHeadBytes, 'a');
  CHECK(bytes.feed(long_line.data(), long_line.size()) == kMaxHeadBytes + 1);
  CHECK(bytes.state() == HeadScanner::State::too_large);
}

TEST_CASE("connections per address are capped and released", "[web]") {
  AddressSlots slots(2);
  CHECK(slots.acquire("192.0.2.1"));
  CHECK(slots.acquire("192.0.2.1"));
  CHECK_FALSE(slots.acquire("192.0.2.1"));
  CHECK(slots.acquire("192.0.2.2"));
  slots.release("192.0.2.1");
  CHECK(slots.acquire("192.0.2.1"));
  slots.release("192.0.2.1");
  slots.release("192.0.2.1");
  CHECK(slots.open("192.0.2.1") == 0);
}

TEST_CASE("password checks run a few at a time; the rest wait briefly or are turned away",
          "[web]") {
  VerifyGate gate(2, 1, std::chrono::milliseconds(300));
  std::atomic<int> running{0}, most{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      const VerifyGate::Turn turn(gate);
      if (!turn) return void(++refused);
      most = std::max(most.load(), ++running);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      --running;
    });
  }
  for (auto& thread : threads)
    thread.join();
  CHECK(most <= 2);
  CHECK(refused >= 1);  // 8 at once: 2 run, 1 waits, the others are told to come back
  CHECK(refused <= 5);
  const VerifyGate::Turn later(gate);
  CHECK(static_cast<bool>(later));  // every turn was given back
}

TEST_CASE("X-Forwarded-For is believed only from trusted proxies, from the right", "[web]") {
  const std::vector<std::string> none;
  const std::vector<std::string> proxy{"127.0.0.1"};
  const std::vector<std::string> chain{"127.0.0.1", "10.0.0.5"};
  // No proxy configured: the peer is the client, whatever it claims.
  CHECK(forwarded_client("127.0.0.1", "203.0.113.9", none) == "127.0.0.1");
  // Not from the proxy: ignored.
  CHECK(forwarded_client("198.51.100.7", "203.0.113.9", proxy) == "198.51.100.7");
  // From the proxy: the address it appended (the rightmost), not what the client wrote.
  CHECK(forwarded_client("127.0.0.1", "1.2.3.4, 203.0.113.9", proxy) == "203.0.113.9");
  CHECK(forwarded_client("127.0.0.1", "", proxy) == "127.0.0.1");
  // Over a chain of trusted proxies to the first address none of them is.
  CHECK(forwarded_client("127.0.0.1", "1.2.3.4,203.0.113.9, 10.0.0.5", chain) == "203.0.113.9");
  // Garbage the proxy passed on stops the walk at the proxy.
  CHECK(forwarded_client("127.0.0.1", "1.2.3.4, not-an-address", proxy) == "127.0.0.1");
  CHECK(forwarded_client("127.0.0.1", "2001:db8::1", proxy) == "2001:db8::1");
}

TEST_CASE("page numbers are whole numbers from 1", "[web]") {
  CHECK(parse_page("") == 1u);
  CHECK(parse_page("3") == 3u);
  for (const char* bad : {"0", "-1", "two", "1.5", "9999999", " 2"})
    CHECK_FALSE(parse_page(bad).has_value());
  CHECK(last_page(0) == 1);
  CHECK(last_page(kPageSize) == 1);
  CHECK(last_page(kPageSize + 1) == 2);
  CHECK(past_the_end_notice(99, 2) == "There is no page 99: showing the last page, 2.");
}

TEST_CASE("each bad filter is named", "[web]") {
  const auto error = [](auto change) {
    QueueQuery query;
    change(query);
    return filter_error(query).value_or("");
  };
  CHECK(error([](QueueQuery&) {}).empty());
  CHECK(error([](QueueQuery& q) { q.status = "any"; }).empty());
  CHECK(error([](QueueQuery& q) { q.status = "released"; }).empty());
  CHECK_THAT(error([](QueueQuery& q) { q.status = "bogus"; }),
             Catch::StartsWith("Status \"bogus\" is not one of"));
  CHECK(error([](QueueQuery& q) { q.from = "2026-02-28"; }).empty());
  CHECK_THAT(error([](QueueQuery& q) { q.from = "2026-13-45"; }),
             Catch::StartsWith("From \"2026-13-45\" is not a date"));
  CHECK_THAT(error([](QueueQuery& q) { q.to = "2026-02-30"; }),
             Catch::StartsWith("To \"2026-02-30\" is not a date"));
  CHECK_THAT(error([](QueueQuery& q) { q.to = "2026-1-01x"; }), Catch::StartsWith("To "));
  CHECK_THAT(error([](QueueQuery& q) {
               q.from = "2026-03-02";
               q.to = "2026-03-01";
             }),
             Catch::StartsWith("From (2026-03-02) is after To (2026-03-01)"));
  CHECK_THAT(error([](QueueQuery& q) { q.search = std::string(300, 'a'); }),
             Catch::StartsWith("Search is longer than"));
}
