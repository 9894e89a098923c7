// A multi-pattern prefilter over the pattern rules: one Vectorscan pass per text finds the rules
// whose pattern could match it, and only those run their PCRE2 pattern. Vectorscan's prefilter
// mode promises a superset of the matches (it may loosen a pattern, never tighten it), so a rule
// it rules out cannot match, and what is reported stays exactly what PCRE2 alone would report.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

struct hs_database;
struct hs_scratch;

namespace aup {

class Prefilter {
 public:
  // patterns[i] is rule i's pattern, or "" for a rule without one. Patterns Vectorscan cannot
  // take (back references it cannot loosen, PCRE2-only syntax) are never ruled out.
  // Returns null when no pattern could be taken at all.
  static std::shared_ptr<const Prefilter> build(const std::vector<std::string_view>& patterns);
  Prefilter(const Prefilter&) = delete;
  Prefilter& operator=(const Prefilter&) = delete;
  ~Prefilter();

  bool covers(size_t rule) const { return rule < covered_.size() && covered_[rule]; }
  size_t covered_count() const;
  size_t rule_count() const { return covered_.size(); }
  const hs_database* database() const { return database_; }
  const hs_scratch* scratch_prototype() const { return scratch_; }

 private:
  Prefilter() = default;
  hs_database* database_ = nullptr;
  hs_scratch* scratch_ = nullptr;  // cloned per evaluation
  std::vector<bool> covered_;
};

// One evaluation's use of the prefilter: each distinct text is scanned once, whatever number
// of rules ask about it. Not shared between threads.
class PrefilterRun {
 public:
  explicit PrefilterRun(const Prefilter& prefilter);
  PrefilterRun(const PrefilterRun&) = delete;
  PrefilterRun& operator=(const PrefilterRun&) = delete;
  ~PrefilterRun();

  // False only when the rule's pattern cannot match `text`. `text` must outlive the run: it
  // is remembered by address.
  bool may_match(size_t rule, std::string_view text);

 private:
  struct Scan {
    bool complete = false;      // false: not scanned, nothing is ruled out
    std::vector<uint8_t> hits;  // by rule index: 1 when the loosened pattern matched
  };
  const Scan& scan(std::string_view text);
  const Prefilter& prefilter_;
  hs_scratch* scratch_ = nullptr;  // null: scanning is not possible, every rule runs
  std::map<std::pair<const char*, size_t>, Scan> scanned_;
};

}  // namespace aup
