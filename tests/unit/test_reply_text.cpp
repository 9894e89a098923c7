// Reply text as libmilter takes it: a format string, at most MAXREPLYLEN (980) bytes.
#include <catch2/catch.hpp>

#include <string>

#include "daemon/verdict_actions.hpp"

using aup::daemon::kReplyTextCap;
using aup::daemon::reply_safe;

TEST_CASE("reply text: '%' doubled, line breaks made spaces", "[reply]") {
  CHECK(reply_safe("100% refused\r\nby clause 4.4") == "100%% refused  by clause 4.4");
  CHECK(reply_safe("") == "");
}

TEST_CASE("reply text: doubling never takes it past libmilter's limit", "[reply]") {
  // 900 '%' would be 1,800 bytes doubled: libmilter would refuse the reply, and the clause
  // text the sender should read would be lost.
  const std::string doubled = reply_safe(std::string(900, '%'));
  CHECK(doubled.size() == kReplyTextCap);
  CHECK(doubled == std::string(kReplyTextCap, '%'));
  // Ending on an odd '%' would leave a bare format directive.
  const std::string odd = reply_safe("x" + std::string(900, '%'));
  CHECK(odd.size() == kReplyTextCap - 1);
  CHECK(odd.substr(1).size() % 2 == 0);
  CHECK(reply_safe(std::string(5000, 'a')).size() == kReplyTextCap);
}
