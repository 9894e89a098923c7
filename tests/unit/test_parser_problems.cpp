// Fields with too many encoded-word starts are found wherever they are, folded or not.
#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "mime/parser_problems.hpp"

namespace aup::mime {
namespace {

// The definition, byte by byte: a field ends at a line end not followed by a space or tab.
std::vector<std::pair<size_t, size_t>> hostile_fields_reference(std::string_view raw) {
  std::vector<std::pair<size_t, size_t>> found;
  size_t begin = 0, count = 0;
  for (size_t i = 0; i <= raw.size(); ++i) {
    const bool ends = i == raw.size() || (raw[i] == '\n' && i + 1 < raw.size() &&
                                          raw[i + 1] != ' ' && raw[i + 1] != '\t');
    if (ends) {
      if (count > kMaxWordStarts) found.emplace_back(begin, i);
      begin = i + 1;
      count = 0;
    } else if (raw[i] == '=' && i + 1 < raw.size() && raw[i + 1] == '?') {
      ++count;
    }
  }
  return found;
}

}  // namespace

TEST_CASE("hostile fields: found as the byte-by-byte definition finds them", "[mime]") {
  std::mt19937 random(8);
  const std::string pieces[] = {
      "=?", "=?", "=?", "=", "?", "\n", "\n ", "\n\t", "\r\n", "a", "=?utf-8?q?x?=", " "};
  size_t hostile = 0;
  for (int round = 0; round < 300; ++round) {
    std::string raw;
    const size_t length = 500 + random() % 4000;
    while (raw.size() < length) {
      // Long runs of "=?" now and then, so that some fields pass the limit.
      const bool burst = random() % 50 == 0;
      for (size_t n = burst ? 1100 : 1; n > 0; --n)
        raw += burst ? std::string("=?") : pieces[random() % std::size(pieces)];
    }
    const auto expected = hostile_fields_reference(raw);
    hostile += expected.size();
    CHECK(hostile_fields(raw) == expected);
  }
  CHECK(hostile > 20);
  CHECK(hostile_fields("").empty());
  CHECK(hostile_fields(std::string(3000, '=') + "\n").empty());
}

}  // namespace aup::mime
