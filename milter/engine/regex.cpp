// The PCRE2 wrapper: compile options, limits and error text in one place.
#include "engine/regex.hpp"

namespace aup {

std::string pcre2_message(int error_code) {
  PCRE2_UCHAR buffer[256];
  const int length = pcre2_get_error_message(error_code, buffer, sizeof buffer);
  if (length < 0) return "PCRE2 error " + std::to_string(error_code);
  return std::string(reinterpret_cast<const char*>(buffer), static_cast<size_t>(length));
}

MatchScratch::MatchScratch(const RegexLimits& limits) : budget_(limits.message_budget) {
  data_ = pcre2_match_data_create(1, nullptr);  // only the whole match is ever reported
  context_ = pcre2_match_context_create(nullptr);
  jit_stack_ = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr);
  if (data_ == nullptr || context_ == nullptr) throw std::bad_alloc();
  pcre2_set_match_limit(context_, limits.match_limit);
  pcre2_set_depth_limit(context_, limits.depth_limit);
  pcre2_set_heap_limit(context_, limits.heap_limit_kib);
  if (jit_stack_ != nullptr) pcre2_jit_stack_assign(context_, nullptr, jit_stack_);
}

void MatchScratch::record_limit(const std::string& reason) {
  ++limits_hit_;
  try {
    last_limit_ = reason;
  } catch (...) {
  }
}

MatchScratch::~MatchScratch() {
  pcre2_jit_stack_free(jit_stack_);
  pcre2_match_context_free(context_);
  pcre2_match_data_free(data_);
}

std::unique_ptr<Regex> Regex::compile(std::string_view pattern, RegexError& error) {
  // MATCH_INVALID_UTF: message text is untrusted; a stray byte must not abort the match.
  constexpr uint32_t kOptions = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   kOptions, &error_code, &error_offset, nullptr);
  if (code == nullptr) {
    error = {pcre2_message(error_code), error_offset};
    return nullptr;
  }
  // JIT is an optimisation: a platform without it still matches, just slower.
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  return std::unique_ptr<Regex>(new Regex(code, std::string(pattern)));
}

Regex::~Regex() {
  pcre2_code_free(code_);
}

namespace {

MatchResult limit_result(std::string reason, MatchScratch& scratch) {
  MatchResult result;
  result.outcome = MatchOutcome::limit_exceeded;
  result.error = std::move(reason);
  scratch.record_limit(result.error);
  return result;
}

std::string budget_spent_reason(const MatchScratch& scratch) noexcept {
  try {
    return "the message's matching time budget of " + std::to_string(scratch.budget().count()) +
           " ms is spent";
  } catch (...) {
    return {};
  }
}

}  // namespace

MatchResult Regex::search(std::string_view subject, MatchScratch& scratch,
                          size_t start) const noexcept {
  if (start > subject.size()) return {};
  if (scratch.budget_spent()) return limit_result(budget_spent_reason(scratch), scratch);
  const auto started = std::chrono::steady_clock::now();
  const int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(),
                             start, 0, scratch.data(), scratch.context());
  scratch.charge(std::chrono::steady_clock::now() - started);
  MatchResult result;
  if (rc >= 0) {  // 0: ovector too small for the groups, still a match
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(scratch.data());
    result.outcome = MatchOutcome::match;
    result.begin = ovector[0];
    result.end = ovector[1] < ovector[0] ? ovector[0] : ovector[1];  // \K can invert them
    return result;
  }
  if (rc == PCRE2_ERROR_NOMATCH) return result;
  const bool limit = rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
                     rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
  std::string reason;
  try {
    reason = pcre2_message(rc);
  } catch (...) {
  }
  if (limit) return limit_result(std::move(reason), scratch);
  scratch.record_limit(reason);
  result.outcome = MatchOutcome::error;
  result.error = std::move(reason);
  return result;
}

}  // namespace aup
