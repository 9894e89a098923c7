// Hostile envelope and header addresses (issue 19 item 1): RFC 5321/5322 parsing, IDN keys,
// and the direction every unreadable address must take (external, outbound rules run).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>

#include "engine/address_domain.hpp"
#include "engine/addresses.hpp"
#include "engine/direction.hpp"
#include "engine/smtp_address.hpp"

using namespace aup;

namespace {

const std::vector<std::string> kCouncil = {"medway.gov.uk"};

bool internal(std::string_view address) {
  return domain_in(domain_of(address), kCouncil);
}

Settings council() {
  Settings settings;
  settings.internal_domains = kCouncil;
  return settings;
}

Direction direction(const std::string& sender, std::vector<std::string> rcpts) {
  EffectiveEnvelope envelope;
  envelope.sender = sender;
  envelope.recipients = std::move(rcpts);
  return classify_direction(envelope, council());
}

}  // namespace

TEST_CASE("a quoted local part holding a council address is not a council address",
          "[addresses][smtp]") {
  const std::string hostile = R"(<"<jo.bloggs@medway.gov.uk>"@evil.example>)";
  const Path path = parse_smtp_path(hostile);
  REQUIRE(path.kind == PathKind::mailbox);
  CHECK(path.mailbox.local == R"("<jo.bloggs@medway.gov.uk>")");
  CHECK(path.mailbox.domain_key == "evil.example");
  CHECK(domain_of(hostile) == "evil.example");
  CHECK_FALSE(internal(hostile));
  // The daemon stores bare_address(argv[0]) and the engine parses it again: still external.
  CHECK(bare_address(hostile) == R"("<jo.bloggs@medway.gov.uk>"@evil.example)");
  CHECK(domain_of(bare_address(hostile)) == "evil.example");
  CHECK(direction("jo@medway.gov.uk", {hostile}) == Direction::outbound);
  CHECK(direction("jo@medway.gov.uk", {bare_address(hostile)}) == Direction::outbound);
}

TEST_CASE("quoted local parts: escapes, and one spelling per mailbox", "[addresses][smtp]") {
  CHECK(domain_of(R"(<"jo\"@medway.gov.uk"@evil.example>)") == "evil.example");
  CHECK(domain_of(R"("jo\\"@medway.gov.uk)") == "medway.gov.uk");
  CHECK(local_part_of(R"("jo\\"@medway.gov.uk)") == R"("jo\\")");
  CHECK(local_part_of(R"("jo.bloggs"@medway.gov.uk)") == "jo.bloggs");
  CHECK(local_part_of(R"("j\o"@medway.gov.uk)") == "jo");
  CHECK(local_part_of(R"("jo bloggs"@medway.gov.uk)") == R"("jo bloggs")");
  CHECK(canonical_address(R"(<"AllStaff+x"@Medway.GOV.uk.>)", "+") == "allstaff@medway.gov.uk");
  for (const char* bad : {R"("jo@medway.gov.uk)", R"("jo\)", "\"jo\x01\"@evil.example",
                          "jo..b@medway.gov.uk", ".jo@medway.gov.uk", "jo.@medway.gov.uk",
                          "jo bloggs@medway.gov.uk", "@medway.gov.uk", "jo@", "jo"}) {
    INFO(bad);
    CHECK(parse_smtp_path(bad).kind == PathKind::invalid);
    CHECK_FALSE(internal(bad));
  }
}

TEST_CASE("source routes: the mailbox is after the colon", "[addresses][smtp]") {
  CHECK(domain_of("<@medway.gov.uk:x@evil.example>") == "evil.example");
  CHECK(domain_of("<@a.example,@medway.gov.uk:x@evil.example>") == "evil.example");
  CHECK(domain_of("<@evil.example:jo@medway.gov.uk>") == "medway.gov.uk");
  for (const char* bad : {"<@:x@evil.example>", "<@medway.gov.uk,x@evil.example>",
                          "<@medway.gov.uk x@evil.example>", "@medway.gov.uk:x@evil.example"}) {
    INFO(bad);
    CHECK(parse_smtp_path(bad).kind == PathKind::invalid);
    CHECK_FALSE(internal(bad));
  }
}

TEST_CASE("anything after the domain makes an address invalid, so external", "[addresses][smtp]") {
  for (const char* bad : {"<x@evil.example@medway.gov.uk>", "x@evil.example@medway.gov.uk",
                          "<x@medway.gov.uk@evil.example>", "x@evil.example <y@medway.gov.uk>",
                          "<x@medway.gov.uk>>", "<<x@medway.gov.uk>", "<x@medway.gov.uk",
                          "x@medway.gov.uk>", "<x@medway.gov.uk> junk", "a@medway.gov.uk, b@x.org",
                          "group: a@medway.gov.uk;", "x@medway_gov.uk", "x@-medway.gov.uk"}) {
    INFO(bad);
    CHECK(parse_address(bad).kind == PathKind::invalid);
    CHECK(domain_of(bad).empty());
    CHECK(direction("jo@medway.gov.uk", {bad}) == Direction::outbound);
  }
}

TEST_CASE("header form: display names and comments", "[addresses][smtp]") {
  CHECK(domain_of("jo(medway.gov.uk)@evil.example") == "evil.example");
  CHECK(domain_of("jo@evil.example (jo@medway.gov.uk)") == "evil.example");
  CHECK(domain_of("\"Jo <jo@medway.gov.uk>\" <x@evil.example>") == "evil.example");
  CHECK(domain_of("Jo (council (nested)) Bloggs <jo@evil.example>") == "evil.example");
  CHECK(domain_of("jo @ medway.gov.uk") == "medway.gov.uk");
  CHECK(bare_address("Jo Bloggs <Jo.Bloggs@Medway.gov.uk>") == "Jo.Bloggs@Medway.gov.uk");
  for (const char* bad : {"jo(medway.gov.uk@evil.example", "Jo <jo@evil.example", "Jo@x <y@z>",
                          "Jo <jo@evil.example> <y@medway.gov.uk>", "jo)@medway.gov.uk"}) {
    INFO(bad);
    CHECK(parse_address(bad).kind == PathKind::invalid);
  }
}

TEST_CASE("address literals", "[addresses][smtp]") {
  const Path v4 = parse_smtp_path("x@[127.0.0.1]");
  REQUIRE(v4.kind == PathKind::mailbox);
  CHECK(v4.mailbox.literal);
  CHECK(v4.mailbox.domain_key == "[127.0.0.1]");
  CHECK(domain_of("<x@[IPv6:2001:DB8::1]>") == "[ipv6:2001:db8::1]");
  CHECK_FALSE(internal("x@[127.0.0.1]"));
  for (const char* bad : {"x@[::1]", "x@[300.1.1.1]", "x@[IPv6:1.2.3.4]", "x@[]", "x@[127.0.0.1",
                          "x@[tag:medway.gov.uk]", "x@[1.2.3.4]]"}) {
    INFO(bad);
    CHECK(parse_smtp_path(bad).kind == PathKind::invalid);
  }
}

TEST_CASE("case, trailing dot and IDN: one key per domain", "[addresses][smtp][idn]") {
  CHECK(internal("<Jo@MEDWAY.GOV.UK.>"));
  CHECK(internal("jo@Schools.Medway.Gov.UK"));
  CHECK_FALSE(internal("jo@medway.gov.uk.."));
  CHECK(domain_of("x@B\xC3\xBC"
                  "cher.DE") == "xn--bcher-kva.de");
  CHECK(domain_of("x@XN--BCHER-KVA.de") == "xn--bcher-kva.de");
  CHECK(
      domain_in("b\xC3\xBC"
                "cher.de",
                {"xn--bcher-kva.de"}));
  CHECK(domain_in("xn--bcher-kva.de", {"B\xC3\xBC"
                                       "cher.de"}));
  // "medwаy" with a Cyrillic а (U+0430) is another domain, in either form.
  const std::string homoglyph = "jo@medw\xD0\xB0y.gov.uk";
  CHECK(domain_of(homoglyph) == "xn--medwy-7ve.gov.uk");
  CHECK_FALSE(internal(homoglyph));
  CHECK_FALSE(internal("jo@xn--medwy-7ve.gov.uk"));
  CHECK(direction("jo@medway.gov.uk", {homoglyph}) == Direction::outbound);
  CHECK(parse_smtp_path("x@xn--zzzz-.de").kind == PathKind::invalid);       // bad Punycode
  CHECK(parse_smtp_path("x@medway\xFF.gov.uk").kind == PathKind::invalid);  // not UTF-8
  CHECK(domain_key("a_b.example") == std::nullopt);
}

TEST_CASE("null path, empty and NUL bytes", "[addresses][smtp]") {
  CHECK(parse_smtp_path("<>").kind == PathKind::null_path);
  CHECK(parse_smtp_path(" <> ").kind == PathKind::null_path);
  CHECK(bare_address("<>").empty());
  CHECK(parse_smtp_path("").kind == PathKind::invalid);
  CHECK(parse_smtp_path("<>x").kind == PathKind::invalid);
  const std::string nul("jo@medway.gov.uk\0@evil.example", 30);
  CHECK(parse_address(nul).kind == PathKind::invalid);
  CHECK_FALSE(internal(nul));
  CHECK(parse_address(std::string("\"jo\0\"@evil.example", 18)).kind == PathKind::invalid);
}

namespace {

std::vector<std::string> hostile_addresses(size_t n) {
  std::string dotted;
  for (size_t i = 0; i < n / 2; ++i)
    dotted += "a.";
  std::string route = "<";
  for (size_t i = 0; i < n / 4; ++i)
    route += "@a,";
  return {std::string(n, '('),      std::string(n, '"'),
          std::string(n, '<'),      std::string(n, '\\'),
          std::string(n, 'a'),      std::string(n, 'a') + "@evil.example",
          dotted + "@evil.example", route + ":x@evil.example>",
          "x@" + dotted + "uk",     "\"" + std::string(n, ' ') + "\"@evil.example",
          std::string(n, '@')};
}

// The fastest of three passes over the inputs, in seconds: the least disturbed by other load.
double seconds_to_read(const std::vector<std::string>& inputs) {
  double best = 1e9;
  for (int pass = 0; pass < 3; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    for (const std::string& input : inputs) {
      (void)internal(input);
      (void)bare_address(input);
    }
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

TEST_CASE("100,000-character hostile inputs cost linear time", "[addresses][smtp]") {
  const size_t n = 100000;
  for (const std::string& input : hostile_addresses(n)) {
    INFO(input.substr(0, 20) << "..." << input.substr(input.size() - 20));
    CHECK_FALSE(internal(input));
  }
  // A long local part is no reason to doubt the domain (RFC 5321's 64 is a storage limit).
  CHECK(internal(std::string(n, 'a') + "@medway.gov.uk"));
  // Ten times the length costs about ten times the time (a hundred if quadratic). A ratio, so
  // that a sanitizer's slowdown does not matter; the floor keeps timer noise out of it.
  const double small = std::max(seconds_to_read(hostile_addresses(n / 10)), 0.002);
  const double large = seconds_to_read(hostile_addresses(n));
  INFO("10,000 characters: " << small << " s; 100,000: " << large << " s");
  CHECK(large / small < 30);
}

TEST_CASE("direction: an unreadable or null sender never makes mail inbound", "[direction][smtp]") {
  const std::vector<std::string> external = {"a@example.org"};
  CHECK(direction("spam@example.com", external) == Direction::inbound);
  CHECK(direction("x@evil.example@medway.gov.uk", external) == Direction::outbound);
  CHECK(direction(R"("unterminated@example.com)", external) == Direction::outbound);
  CHECK(direction("", external) == Direction::outbound);
  CHECK(direction("<>", external) == Direction::outbound);
  CHECK(direction("jo@medw\xD0\xB0y.gov.uk", external) == Direction::inbound);
  CHECK(direction("<@evil.example:jo@MEDWAY.gov.uk.>", {"b@medway.gov.uk"}) == Direction::internal);
  // A known external client address still decides, whatever the sender looks like.
  EffectiveEnvelope envelope;
  envelope.sender = "x@evil.example@medway.gov.uk";
  envelope.client_ip = "203.0.113.9";
  envelope.recipients = external;
  CHECK(classify_direction(envelope, council()) == Direction::inbound);
}
