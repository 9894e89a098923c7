// Turns a rule's PCRE2 pattern into a looser one for the prefilter: every character-type
// escape and every class built from them (\w, \d, \s, \p{..}, [[:alpha:]\d.-]...) becomes "any
// character", word boundaries and lookarounds are dropped and possessive quantifiers made
// ordinary. Anything
// the loosened pattern could miss, it now matches, so it still rules out only texts the rule
// cannot match, while Vectorscan no longer builds the huge Unicode automata those classes
// need under UCP (one "\W+\w+" in a bounded repeat took minutes and a gigabyte to compile).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace aup {

// The loosened pattern, or nothing when the pattern uses syntax this does not understand
// (back references, \Q..\E, extended mode, verbs...): such a rule is then never ruled out.
std::optional<std::string> loosen_for_prefilter(std::string_view pattern);

}  // namespace aup
