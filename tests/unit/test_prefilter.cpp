// The prefilter may only rule out what PCRE2 would not match: loosening, and random and
// Unicode case-folding comparisons against PCRE2 itself.
#include <glib.h>

#include <catch2/catch.hpp>
#include <random>

#include "engine/prefilter.hpp"
#include "engine/prefilter_pattern.hpp"
#include "engine/regex.hpp"

namespace aup {
namespace {

std::string utf8(gunichar c) {
  char buffer[8];
  return std::string(buffer, static_cast<size_t>(g_unichar_to_utf8(c, buffer)));
}

std::unique_ptr<Regex> compiled(const std::string& pattern) {
  RegexError error;
  auto regex = Regex::compile(pattern, error);
  INFO(pattern << ": " << error.message);
  REQUIRE(regex);
  return regex;
}

struct Tally {
  size_t pcre2_matches = 0;
  size_t ruled_out = 0;
};

// Every (pattern, subject) pair PCRE2 matches must be let through by the prefilter.
Tally check_superset(const std::vector<std::string>& patterns,
                     const std::vector<std::string>& subjects) {
  std::vector<std::string_view> views(patterns.begin(), patterns.end());
  const auto prefilter = Prefilter::build(views);
  REQUIRE(prefilter);
  std::vector<std::unique_ptr<Regex>> regexes;
  for (const std::string& pattern : patterns)
    regexes.push_back(compiled(pattern));
  MatchScratch scratch(RegexLimits{});
  Tally tally;
  for (const std::string& subject : subjects) {
    PrefilterRun run(*prefilter);
    for (size_t i = 0; i < patterns.size(); ++i) {
      const bool may = run.may_match(i, subject);
      if (!may) ++tally.ruled_out;
      if (regexes[i]->search(subject, scratch).outcome != MatchOutcome::match) continue;
      ++tally.pcre2_matches;
      INFO("pattern " << patterns[i] << " subject \"" << subject << "\"");
      CHECK(may);
    }
  }
  return tally;
}

}  // namespace

TEST_CASE("loosening widens character types and keeps literals", "[prefilter]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"((?i)\bchain\s+letter\b)", R"((?i)chain[\s\S]+letter)"},
      {R"(\d{4,6}[A-Z]+)", R"([\s\S]{4,6}[A-Z]+)"},
      {R"([\w.-]+@[[:alpha:]]+)", R"([\s\S]+@[\s\S]+)"},
      {R"([^\d]x)", R"([\s\S]x)"},
      {R"(a++b*+c?+d{2}+)", R"(a+b*c?d{2})"},
      {R"(a+?b{1,2}?)", R"(a+?b{1,2}?)"},
      {R"(x{y})", R"(x\{y})"},
      {R"((?<year>\d)(?P<m>a)(?'d'b))", R"((?:[\s\S])(?:a)(?:b))"},
      {R"(a(?#note)b(?=c)(?!d)(?<=e)(?<!f))", R"(ab)"},
      {R"((?i)(?<![\p{L}\p{N}])(?:ab|c(?!(?:d|e)\)))x)", R"((?i)(?:ab|c)x)"},
      {R"((?i)a(?-i:B)(?ms)^c$)", R"((?i)a(?-i:B)(?ms)^c$)"},
      {R"(\p{Lu}\pL\R\X\h\N)", R"([\s\S][\s\S](?:[\s\S]{1,2})(?:[\s\S]+)[\s\S][\s\S])"},
      {R"(a\R?b)", R"(a(?:[\s\S]{1,2})?b)"},
      {R"(a{2,32}b{33}c{1,99999}?d{40,}+)", R"(a{2,32}b*c*?d*)"},
      {R"([[:<:]]ab[[:>:]])", R"(ab)"},
      {R"(\x{202E}\x41\t\.\$\0)", R"(\x{202E}\x41\t\.\$\0)"},
      {R"([]a\]])", R"([]a\]])"},
      {"caf\xc3\xa9", "caf\xc3\xa9"},
      // Caseless non-ASCII: Vectorscan's case tables are older than PCRE2's.
      {"(?i)caf\xc3\xa9s", R"((?i)caf[\s\S]s)"},
      {"(?i)[a-c\xc3\xa9][d"
       R"(\x{e9}][e\x41])",
       R"((?i)[\s\S][\s\S][e\x41])"},
      {R"(a(?i:\x{10D0}\x4B))", R"(a(?i:[\s\S]\x4B))"},
  };
  for (const auto& [pattern, loosened] : cases) {
    INFO(pattern);
    const auto out = loosen_for_prefilter(pattern);
    REQUIRE(out);
    CHECK(*out == loosened);
  }
}

TEST_CASE("loosening gives up on syntax it does not know", "[prefilter]") {
  for (const std::string& pattern : std::vector<std::string>{
           R"((a)\1)",      R"(\Qa.b\E)", R"((?x) a b)", R"((*UTF)a)",   R"((?>a))",
           R"((?|a|b))",    R"(a\Kb)",    R"(\Ga)",      R"(\k<n>)",     R"(\b+)",
           R"([a)",         R"(\x{41)",   R"([[:alpha)", R"((?<n)",      R"((?)a)",
           R"(\cA)",        "\\\xc3\xa9", R"(a\)",       R"((?(1)a|b))", R"(a(?=b)+)",
           R"((a)",         R"(a))",      R"((?=a)",     R"(\N{U+41})",  R"(a(?!c)(?#x){2}d)",
           R"([[:a]|:]]c)", R"(a{,3}b)",  R"(a{ 2 }b)",  R"(a{1,2,3})",  std::string("x\0|y", 4),
           R"(\b(?#c)*)"}) {
    INFO(pattern);
    CHECK_FALSE(loosen_for_prefilter(pattern));
  }
}

TEST_CASE("many patterns Vectorscan refuses are left out without giving up", "[prefilter]") {
  // An embedded anchor passes the loosening but not Vectorscan's compiler.
  std::vector<std::string> patterns;
  for (int n = 0; n < 12; ++n)
    patterns.push_back("x" + std::to_string(n) + "^y");
  patterns.push_back("zebra");
  const auto prefilter =
      Prefilter::build(std::vector<std::string_view>(patterns.begin(), patterns.end()));
  REQUIRE(prefilter);
  CHECK(prefilter->covered_count() == 1);
  PrefilterRun run(*prefilter);
  CHECK_FALSE(run.may_match(12, "no stripes"));
  CHECK(run.may_match(0, "no stripes"));
}

TEST_CASE("patterns it cannot take are never ruled out", "[prefilter]") {
  const auto prefilter = Prefilter::build({R"((a)\1)", "", "zebra", R"(\Qz\E)"});
  REQUIRE(prefilter);
  CHECK(prefilter->covered_count() == 1);
  PrefilterRun run(*prefilter);
  CHECK(run.may_match(0, "nothing here"));  // back reference: not covered
  CHECK(run.may_match(1, "nothing here"));  // no pattern: not covered
  CHECK_FALSE(run.may_match(2, "nothing here"));
  CHECK(run.may_match(2, "a zebra"));
  CHECK(run.may_match(3, "nothing here"));
  // Invalid UTF-8 is never scanned (Vectorscan's behaviour on it is undefined).
  CHECK(run.may_match(2, std::string("\xff\xfe no stripes")));
}

TEST_CASE("the prefilter lets through everything PCRE2 matches: random texts", "[prefilter]") {
  const std::vector<std::string> patterns = {
      R"((?i)\bab\s+c)",
      R"(a\w{2}b)",
      R"([[:alpha:]]+c\d)",
      R"((?m)^ab$)",
      R"(a(?=b))",
      R"((?<=a)b)",
      R"(a\Rb)",
      R"(\p{Lu}b)",
      R"([^a-c]+)",
      R"(a{2,}+b)",
      R"((?s)a.b)",
      R"(a.b)",
      R"((?i)é)",
      R"((?i)k)",
      R"((?i)s\b)",
      R"((?i)σ)",
      R"(\x{e9})",
      R"(ab|cd$)",
      R"(^a)",
      R"(a\Z)",
      R"(a\z)",
      R"((?<n>a)b)",
      R"((?#c)ab)",
      R"(a\b)",
      R"(\Bb)",
      R"((?i)\bA\W+B\b)",
      R"(\d\D\s\S)",
      R"((?i)[a-cé]{3})",
      R"((?i)ǆ)",
      R"(a(?:\W+\w+){0,2}?\W+c)",
      R"((?i)ß)",
      R"((?-i)A)",
      R"($)",
      R"(^$)",
      R"(\b)",
      R"(x?)",
      R"((?i)[^k]b)",
      R"(\v\h)",
      R"(a(?!b)c?)",
      R"((?i)(?<!a)B)",
      R"((?i)[j-l])",
      R"((?i)[r-t]b)",
      R"((?i)K\b)",
      R"((?<![a\d])b)",
      R"((?i)(?<![\p{L}\p{N}])(?:ab|c\p{L}*)(?![\p{L}\p{N}]))",
      R"(a(?!\s+b)\w)",
      R"(a\R?b)",
      R"(a\R+b)",
      R"(a\X?b)",
      R"(a\R{2,}b)",
      R"([[:<:]]ab)",
      R"(ab[[:>:]])",
      R"(a(?#x)+b)",
      R"((?i)ka)",
      R"((?i)[\337]b)"};
  const std::vector<std::string> alphabet = {"a",
                                             "b",
                                             "c",
                                             "d",
                                             "A",
                                             "B",
                                             "C",
                                             "1",
                                             "2",
                                             " ",
                                             "\n",
                                             "\r",
                                             "\t",
                                             ",",
                                             "-",
                                             "é",
                                             "É",
                                             "ß",
                                             "ẞ",
                                             "K",
                                             "k",
                                             "\xe2\x84\xaa" /* Kelvin sign */,
                                             "ſ",
                                             "σ",
                                             "Σ",
                                             "ς",
                                             "ǅ",
                                             "ǆ",
                                             "Ǆ",
                                             "\xc2\xa0" /* no-break space */,
                                             "\xe2\x80\xa8" /* line separator */,
                                             "٣",
                                             "\r\n",
                                             "x"};
  std::mt19937 random(20261129);
  std::vector<std::string> subjects;
  for (int n = 0; n < 20000; ++n) {
    std::string subject;
    const size_t length = random() % 12;
    for (size_t i = 0; i < length; ++i)
      subject += alphabet[random() % alphabet.size()];
    subjects.push_back(subject);
  }
  const Tally tally = check_superset(patterns, subjects);
  CHECK(tally.pcre2_matches > 50000);  // the comparison is not vacuous
  CHECK(tally.ruled_out > 100000);     // and the prefilter does rule things out
}

TEST_CASE("the prefilter lets through every caseless match PCRE2 makes", "[prefilter]") {
  std::vector<std::string> patterns;
  std::vector<gunichar> cased;
  for (gunichar c = 0x41; c < 0x20000; ++c) {
    if (!g_unichar_validate(c) || (g_unichar_toupper(c) == c && g_unichar_tolower(c) == c))
      continue;
    cased.push_back(c);
    char pattern[32];
    snprintf(pattern, sizeof pattern, "(?i)\\x{%X}", static_cast<unsigned>(c));
    patterns.emplace_back(pattern);
  }
  REQUIRE(cased.size() > 2000);
  std::vector<std::string_view> views(patterns.begin(), patterns.end());
  const auto prefilter = Prefilter::build(views);
  REQUIRE(prefilter);
  MatchScratch scratch(RegexLimits{});
  // Every case variant, and the characters Unicode folds specially (Kelvin and Angstrom
  // signs, long s, final sigma, capital sharp s, Greek theta and iota forms).
  std::vector<std::string> all_variants;
  for (const gunichar c : cased) {
    for (const gunichar variant : {g_unichar_toupper(c), g_unichar_tolower(c), g_unichar_totitle(c),
                                   g_unichar_tolower(g_unichar_toupper(c))})
      all_variants.push_back(utf8(variant));
  }
  for (const gunichar special : {0x212A, 0x212B, 0x17F, 0x3C2, 0x1E9E, 0x3F4, 0x1FBE, 0x345})
    all_variants.push_back(utf8(special));
  std::sort(all_variants.begin(), all_variants.end());
  all_variants.erase(std::unique(all_variants.begin(), all_variants.end()), all_variants.end());
  size_t pcre2_matches = 0;
  // An ASCII letter against every variant of every letter (Vectorscan itself must fold these
  // as PCRE2 does); a non-ASCII letter against its own (loosened to "any", so trivially let
  // through, but it shows the loosening covers what Vectorscan's tables lack).
  for (size_t i = 0; i < cased.size(); ++i) {
    const gunichar c = cased[i];
    std::vector<std::string> own;
    for (const gunichar variant : {g_unichar_toupper(c), g_unichar_tolower(c), g_unichar_totitle(c),
                                   g_unichar_tolower(g_unichar_toupper(c))})
      own.push_back(utf8(variant));
    const auto& subjects = c < 0x80 ? all_variants : own;
    const auto regex = compiled(patterns[i]);
    PrefilterRun run(*prefilter);
    for (const std::string& subject : subjects) {
      if (regex->search(subject, scratch).outcome != MatchOutcome::match) continue;
      ++pcre2_matches;
      INFO("pattern " << patterns[i] << " subject \"" << subject << "\"");
      CHECK(run.may_match(i, subject));
    }
  }
  CHECK(pcre2_matches > 2 * cased.size());
}

}  // namespace aup
