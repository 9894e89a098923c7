// PCRE2 patterns compiled once per policy (JIT, UTF, UCP), matched with bounded effort.
#pragma once

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace aup {

struct RegexLimits {
  uint32_t match_limit = 1'000'000;  // backtracking steps per match attempt
  uint32_t depth_limit = 10'000;     // nested backtracking depth
  uint32_t heap_limit_kib = 20'000;  // interpreter heap per match
  // Matching time per message, all patterns together: once spent, every further match attempt
  // reports limit_exceeded instead of running. A single attempt is bounded by the limits above.
  std::chrono::milliseconds message_budget{100};
};

struct RegexError {
  std::string message;  // PCRE2's own words
  size_t offset = 0;    // code-unit offset into the pattern
};

enum class MatchOutcome { no_match, match, limit_exceeded, error };

struct MatchResult {
  MatchOutcome outcome = MatchOutcome::no_match;
  size_t begin = 0;
  size_t end = 0;
  std::string error;  // for limit_exceeded and error
};

// Per-evaluation scratch (match data, match context, JIT stack) and the message's matching
// time account. Never shared between threads; an evaluation makes its own.
class MatchScratch {
 public:
  explicit MatchScratch(const RegexLimits& limits);
  MatchScratch(const MatchScratch&) = delete;
  MatchScratch& operator=(const MatchScratch&) = delete;
  ~MatchScratch();

  pcre2_match_data* data() const { return data_; }
  pcre2_match_context* context() const { return context_; }

  std::chrono::nanoseconds spent() const { return spent_; }
  bool budget_spent() const { return spent_ >= budget_; }
  std::chrono::milliseconds budget() const { return budget_; }
  void charge(std::chrono::nanoseconds time) { spent_ += time; }
  // Match attempts that hit a limit or the budget or failed, and the last one's reason: lets a
  // caller that reads "no match" as the answer see that it was not one.
  size_t limits_hit() const { return limits_hit_; }
  const std::string& last_limit() const { return last_limit_; }
  void record_limit(const std::string& reason);

 private:
  pcre2_match_data* data_ = nullptr;
  pcre2_match_context* context_ = nullptr;
  pcre2_jit_stack* jit_stack_ = nullptr;
  std::chrono::milliseconds budget_;
  std::chrono::nanoseconds spent_{0};
  size_t limits_hit_ = 0;
  std::string last_limit_;
};

class Regex {
 public:
  // Returns nullptr and fills `error` when the pattern does not compile.
  static std::unique_ptr<Regex> compile(std::string_view pattern, RegexError& error);
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;
  ~Regex();

  // The first match at or after byte `start` of `subject`. limit_exceeded when a PCRE2 limit
  // stopped it, or when the scratch's matching budget was already spent (nothing run).
  MatchResult search(std::string_view subject, MatchScratch& scratch,
                     size_t start = 0) const noexcept;
  const std::string& pattern() const { return pattern_; }

 private:
  Regex(pcre2_code* code, std::string pattern) : code_(code), pattern_(std::move(pattern)) {}
  pcre2_code* code_;
  std::string pattern_;
};

std::string pcre2_message(int error_code);

}  // namespace aup
