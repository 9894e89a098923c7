// Address, domain, network and timestamp helpers.
#include <catch2/catch.hpp>

#include "engine/addresses.hpp"
#include "engine/rfc3339.hpp"

using namespace aup;

TEST_CASE("bare_address strips display names and brackets", "[addresses]") {
  CHECK(bare_address("Jo Bloggs <Jo.Bloggs@Medway.gov.uk>") == "Jo.Bloggs@Medway.gov.uk");
  CHECK(bare_address("<a@b.c>") == "a@b.c");
  CHECK(bare_address("  a@b.c ") == "a@b.c");
  CHECK(bare_address("<>").empty());
}

TEST_CASE("domain_of lower-cases and drops a trailing dot", "[addresses]") {
  CHECK(domain_of("Jo@Medway.GOV.uk.") == "medway.gov.uk");
  CHECK(domain_of("local-only").empty());
  CHECK(local_part_of("Jo.Bloggs@medway.gov.uk") == "Jo.Bloggs");
}

TEST_CASE("canonical_address drops sub-addresses and case", "[addresses]") {
  CHECK(canonical_address("AllStaff+urgent@Medway.gov.uk", "+") == "allstaff@medway.gov.uk");
  CHECK(canonical_address("a-b@x.org", "+-") == "a@x.org");
  CHECK(canonical_address("+tag@x.org", "+") == "+tag@x.org");
  CHECK(canonical_address("a+b@x.org", "") == "a+b@x.org");
  CHECK(canonical_address("<Jo@X.org>", "+") == "jo@x.org");
}

TEST_CASE("domain_in matches the domain and its subdomains only", "[addresses]") {
  const std::vector<std::string> internal = {"medway.gov.uk"};
  CHECK(domain_in("medway.gov.uk", internal));
  CHECK(domain_in("schools.MEDWAY.gov.uk", internal));
  CHECK_FALSE(domain_in("notmedway.gov.uk", internal));
  CHECK_FALSE(domain_in("medway.gov.uk.evil.com", internal));
  CHECK_FALSE(domain_in("gov.uk", internal));
  CHECK_FALSE(domain_in("", internal));
}

TEST_CASE("networks: IPv4, IPv6 and prefixes", "[addresses]") {
  const std::vector<Network> networks = {*parse_network("10.0.0.0/8"),
                                         *parse_network("172.16.0.0/12"), *parse_network("::1"),
                                         *parse_network("2001:db8::/32")};
  const auto in = [&](const char* ip) { return ip_in(*parse_ip(ip), networks); };
  CHECK(in("10.1.2.3"));
  CHECK(in("172.31.255.255"));
  CHECK_FALSE(in("172.32.0.1"));
  CHECK(in("::1"));
  CHECK(in("[::1]"));
  CHECK(in("IPv6:2001:db8::5"));
  CHECK_FALSE(in("2001:db9::5"));
  CHECK_FALSE(in("11.0.0.1"));
  CHECK_FALSE(parse_network("10.0.0.0/33"));
  CHECK_FALSE(parse_network("10.0.0.0/x"));
  CHECK_FALSE(parse_network("not-an-ip"));
  CHECK_FALSE(parse_ip("300.1.1.1"));
}

TEST_CASE("RFC 3339 timestamps", "[time]") {
  using std::chrono::system_clock;
  const auto seconds = [](const char* text) {
    return system_clock::to_time_t(*parse_rfc3339(text));
  };
  CHECK(seconds("1970-01-01T00:00:00Z") == 0);
  CHECK(seconds("2026-11-28T14:05:00Z") == 1795874700);
  CHECK(seconds("2026-11-28T15:05:00+01:00") == 1795874700);
  CHECK(seconds("2026-11-28 09:05:00.123-05:00") == 1795874700);
  for (const char* bad : {"", "2026-11-28", "2026-11-28T14:05Z", "2026-13-01T00:00:00Z",
                          "2026-11-28T14:05:00", "2026-11-28T14:05:00+1", "2026-11-28T25:00:00Z",
                          "2026-11-28T14:05:00Zjunk", "2026-02-30T00:00:00Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_rfc3339(bad));
  }
}
