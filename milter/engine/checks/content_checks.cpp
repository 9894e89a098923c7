// Content checks over subject and text: scored phrases (chain letters, 4.7.1), word lists with
// an allow-list (offensive material, 3.5 and 4.7.2), and protective markings sent where they
// must not go (4.6.1, 5.6.6).
#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "engine/addresses.hpp"
#include "engine/checks/check_support.hpp"
#include "engine/prefilter.hpp"
#include "engine/scopes.hpp"

namespace aup::checks {
namespace {

// Subject first, then every text part: what a reader of the message reads.
std::vector<ScopeValue> readable_values(const EvalContext& context) {
  std::vector<ScopeValue> values = scope_values(Scope{ScopeKind::subject, "", "subject"}, context);
  for (ScopeValue& value : values)
    value.where = "subject";
  for (ScopeValue& value : scope_values(Scope{ScopeKind::body, "", "body"}, context)) {
    values.push_back(std::move(value));
  }
  return values;
}

// One Vectorscan pass per text over a check's patterns, so that PCRE2 runs only those that
// could match it (see engine/prefilter.hpp). Without a prefilter every pattern runs.
class PatternGate {
 public:
  explicit PatternGate(const std::vector<const Regex*>& patterns) {
    std::vector<std::string_view> sources;
    for (const Regex* pattern : patterns)
      sources.push_back(pattern->pattern());
    prefilter_ = Prefilter::build(sources);
  }

  // Per evaluation: scans each text once, whatever number of patterns ask.
  void start(std::optional<PrefilterRun>& run) const {
    if (prefilter_) run.emplace(*prefilter_);
  }

  static bool may_match(std::optional<PrefilterRun>& run, size_t pattern, std::string_view text) {
    return !run || run->may_match(pattern, text);
  }

 private:
  std::shared_ptr<const Prefilter> prefilter_;
};

std::string quoted_match(const ScopeValue& value, const MatchResult& match) {
  const std::string text = fmt::format("\"{}\"", excerpt(value.text, match.begin, match.end, 60));
  return value.where.empty() ? text : fmt::format("{} in {}", text, value.where);
}

// Chain-letter wording is common one phrase at a time ("please forward"); several together
// are not. Each phrase counts once; the check fires at `threshold`.
class PhraseScore final : public Check {
 public:
  struct Phrase {
    std::shared_ptr<const Regex> pattern;
    unsigned score = 1;
  };
  PhraseScore(std::vector<Phrase> phrases, unsigned threshold)
      : phrases_(std::move(phrases)), threshold_(threshold), gate_(patterns_of(phrases_)) {}

  static std::unique_ptr<Check> make(const CheckParams& p) {
    if (!only_known_keys(p, {"threshold", "phrases"})) return nullptr;
    const auto threshold = count_param(p, "threshold", std::nullopt);
    const auto found = p.params.find("phrases");
    if (found == p.params.end() || !found->is_array() || found->empty()) {
      p.errors.push_back("\"phrases\" must be a non-empty array of {pattern, score}");
      return nullptr;
    }
    std::vector<Phrase> phrases;
    for (size_t i = 0; i < found->size(); ++i) {
      const Json& item = (*found)[i];
      const std::string where = fmt::format("phrases[{}]", i);
      if (!item.is_object() || !item.contains("pattern") ||
          !item.value("score", Json(1)).is_number_unsigned()) {
        p.errors.push_back(where + " must be {\"pattern\": ..., \"score\": N}");
        continue;
      }
      phrases.push_back(
          {pattern_param(p, item["pattern"], where + ".pattern"), item.value("score", 1u)});
    }
    if (!threshold || phrases.size() != found->size() ||
        std::any_of(phrases.begin(), phrases.end(), [](auto& ph) { return !ph.pattern; })) {
      return nullptr;
    }
    return std::make_unique<PhraseScore>(std::move(phrases), static_cast<unsigned>(*threshold));
  }

  std::optional<std::string> evaluate(const EvalContext& context) const override {
    const auto values = readable_values(context);
    std::optional<PrefilterRun> run;
    if (context.check_prefilters) gate_.start(run);
    unsigned total = 0;
    std::vector<std::string> found;
    for (size_t i = 0; i < phrases_.size(); ++i) {
      const Phrase& phrase = phrases_[i];
      for (const ScopeValue& value : values) {
        if (!PatternGate::may_match(run, i, value.text)) continue;
        const MatchResult match = phrase.pattern->search(value.text, context.scratch);
        if (match.outcome != MatchOutcome::match) continue;
        total += phrase.score;
        found.push_back(quoted_match(value, match));
        break;
      }
    }
    if (total < threshold_) return std::nullopt;
    return fmt::format("score {} (threshold {}): {}", total, threshold_, fmt::join(found, "; "));
  }

 private:
  static std::vector<const Regex*> patterns_of(const std::vector<Phrase>& phrases) {
    std::vector<const Regex*> patterns;
    for (const Phrase& phrase : phrases)
      patterns.push_back(phrase.pattern.get());
    return patterns;
  }

  std::vector<Phrase> phrases_;
  unsigned threshold_;
  PatternGate gate_;
};

// Builds one pattern of whole words and phrases; "stem*" takes any letters after the stem.
std::string word_list_pattern(const std::vector<std::string>& entries) {
  std::vector<std::string> alternatives;
  for (const std::string& entry : entries) {
    const bool stem = !entry.empty() && entry.back() == '*';
    std::string alternative;
    for (const char c : std::string_view(entry).substr(0, entry.size() - (stem ? 1 : 0))) {
      if (c == ' ') {
        alternative += "\\s+";
      } else if (std::string_view("\\^$.|?*+()[]{}-#").find(c) != std::string_view::npos) {
        alternative += std::string("\\") + c;
      } else {
        alternative.push_back(c);
      }
    }
    alternatives.push_back(stem ? alternative + "\\p{L}*" : alternative);
  }
  return fmt::format("(?i)(?<![\\p{{L}}\\p{{N}}])(?:{})(?![\\p{{L}}\\p{{N}}])",
                     fmt::join(alternatives, "|"));
}

// Listed words, matched whole and case-insensitively, unless the word found is allowed
// (Scunthorpe, Dickens, cocktail...).
class WordList final : public Check {
 public:
  WordList(std::unique_ptr<Regex> pattern, std::unordered_set<std::string> allowed)
      : pattern_(std::move(pattern)), allowed_(std::move(allowed)), gate_({pattern_.get()}) {}

  static std::unique_ptr<Check> make(const CheckParams& p) {
    if (!only_known_keys(p, {"words", "allow"})) return nullptr;
    auto words = list_file(p, "words");
    std::optional<std::vector<std::string>> allowed = std::vector<std::string>{};
    if (p.params.contains("allow")) allowed = list_file(p, "allow");
    if (!words || !allowed) return nullptr;
    RegexError error;
    auto pattern = Regex::compile(word_list_pattern(*words), error);
    if (!pattern) {
      p.errors.push_back(
          fmt::format("\"words\": the list does not make a pattern: {}", error.message));
      return nullptr;
    }
    return std::make_unique<WordList>(
        std::move(pattern), std::unordered_set<std::string>(allowed->begin(), allowed->end()));
  }

  std::optional<std::string> evaluate(const EvalContext& context) const override {
    std::optional<PrefilterRun> run;
    if (context.check_prefilters) gate_.start(run);
    for (const ScopeValue& value : readable_values(context)) {
      if (!PatternGate::may_match(run, 0, value.text)) continue;
      for (size_t start = 0;;) {
        const MatchResult match = pattern_->search(value.text, context.scratch, start);
        if (match.outcome != MatchOutcome::match) break;
        const std::string word =
            to_lower_ascii(value.text.substr(match.begin, match.end - match.begin));
        if (allowed_.count(word) == 0) return quoted_match(value, match);
        start = match.end > match.begin ? match.end : match.begin + 1;
      }
    }
    return std::nullopt;
  }

 private:
  std::unique_ptr<Regex> pattern_;
  std::unordered_set<std::string> allowed_;
  PatternGate gate_;
};

// A marked message (OFFICIAL-SENSITIVE, SECRET...) with a recipient outside the internal and
// secure partner domains.
class ProtectiveMarking final : public Check {
 public:
  explicit ProtectiveMarking(std::shared_ptr<const Regex> pattern)
      : pattern_(std::move(pattern)), gate_({pattern_.get()}) {}

  static std::unique_ptr<Check> make(const CheckParams& p) {
    if (!only_known_keys(p, {"pattern"})) return nullptr;
    auto pattern = pattern_param(p, p.params.value("pattern", Json()), "\"pattern\"");
    if (!pattern) return nullptr;
    return std::make_unique<ProtectiveMarking>(std::move(pattern));
  }

  std::optional<std::string> evaluate(const EvalContext& context) const override {
    const auto& settings = context.settings;
    const auto& rcpts = context.envelope.recipients;
    const auto insecure = std::find_if(rcpts.begin(), rcpts.end(), [&](const std::string& rcpt) {
      const std::string domain = domain_of(rcpt);
      return !domain_in(domain, settings.internal_domains) &&
             !domain_in(domain, settings.secure_partner_domains);
    });
    if (insecure == rcpts.end()) return std::nullopt;
    std::optional<PrefilterRun> run;
    if (context.check_prefilters) gate_.start(run);
    for (const ScopeValue& value : readable_values(context)) {
      if (!PatternGate::may_match(run, 0, value.text)) continue;
      const MatchResult match = pattern_->search(value.text, context.scratch);
      if (match.outcome == MatchOutcome::match) {
        return fmt::format("{} sent to {}", quoted_match(value, match),
                           to_lower_ascii(bare_address(*insecure)));
      }
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<const Regex> pattern_;
  PatternGate gate_;
};

}  // namespace

void add_content_checks(Registry& registry) {
  registry.emplace("phrase_score", PhraseScore::make);
  registry.emplace("word_list", WordList::make);
  registry.emplace("protective_marking", ProtectiveMarking::make);
}

}  // namespace aup::checks
