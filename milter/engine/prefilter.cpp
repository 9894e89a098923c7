// The Vectorscan prefilter: built once per policy, scanned once per distinct text.
#include "engine/prefilter.hpp"

#include "engine/prefilter_pattern.hpp"
#include "mime/text_decode.hpp"

#include <hs/hs.h>

#include <algorithm>
#include <string>

namespace aup {
namespace {

// The PCRE2 options the rules are compiled with (UTF, UCP) in Vectorscan's terms, loosened to
// a superset (PREFILTER), one report per pattern (SINGLEMATCH): only "could it match" matters.
constexpr unsigned kFlags =
    HS_FLAG_PREFILTER | HS_FLAG_UTF8 | HS_FLAG_UCP | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;

struct Entry {
  std::string pattern;  // NUL-terminated copy for the C API
  unsigned rule = 0;
};

hs_database_t* compile_together(const std::vector<Entry>& entries, int& culprit) {
  std::vector<const char*> expressions;
  std::vector<unsigned> flags(entries.size(), kFlags), ids;
  for (const Entry& entry : entries) {
    expressions.push_back(entry.pattern.c_str());
    ids.push_back(entry.rule);
  }
  hs_database_t* database = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(entries.size()), HS_MODE_BLOCK, nullptr, &database,
                       &error) == HS_SUCCESS) {
    return database;
  }
  culprit = error != nullptr ? error->expression : -1;
  hs_free_compile_error(error);
  return nullptr;
}

bool compiles_alone(const Entry& entry) {
  int culprit = -1;
  hs_database_t* database = compile_together({entry}, culprit);
  hs_free_database(database);
  return database != nullptr;
}

// Compiles what it can. A pattern the compiler names as the problem is left out and the rest
// compiled again; after a few, each is tried alone first (one retry per bad pattern would be
// slow with many). An error naming no pattern gives up: every rule then runs, as without one.
hs_database_t* compile(std::vector<Entry>& entries) {
  constexpr int kRetries = 4;
  for (int attempt = 0; !entries.empty(); ++attempt) {
    if (attempt == kRetries)
      std::erase_if(entries, [](const Entry& e) { return !compiles_alone(e); });
    int culprit = -1;
    if (hs_database_t* database = compile_together(entries, culprit)) return database;
    if (culprit < 0 || static_cast<size_t>(culprit) >= entries.size() || attempt > kRetries)
      return nullptr;
    entries.erase(entries.begin() + culprit);
  }
  return nullptr;
}

int on_match(unsigned int id, unsigned long long, unsigned long long, unsigned int, void* context) {
  auto& candidates = *static_cast<std::vector<uint8_t>*>(context);
  if (id < candidates.size()) candidates[id] = 1;
  return 0;  // keep scanning: other patterns may match too
}

}  // namespace

std::shared_ptr<const Prefilter> Prefilter::build(const std::vector<std::string_view>& patterns) {
  std::vector<Entry> entries;
  for (size_t rule = 0; rule < patterns.size(); ++rule) {
    if (patterns[rule].empty()) continue;
    if (auto loosened = loosen_for_prefilter(patterns[rule]))
      entries.push_back({std::move(*loosened), static_cast<unsigned>(rule)});
  }
  hs_database_t* database = compile(entries);
  if (database == nullptr) return nullptr;
  std::shared_ptr<Prefilter> prefilter(new Prefilter());
  prefilter->database_ = database;
  if (hs_alloc_scratch(database, &prefilter->scratch_) != HS_SUCCESS) return nullptr;
  prefilter->covered_.assign(patterns.size(), false);
  for (const Entry& entry : entries)
    prefilter->covered_[entry.rule] = true;
  return prefilter;
}

Prefilter::~Prefilter() {
  hs_free_scratch(scratch_);
  hs_free_database(database_);
}

size_t Prefilter::covered_count() const {
  return static_cast<size_t>(std::count(covered_.begin(), covered_.end(), true));
}

PrefilterRun::PrefilterRun(const Prefilter& prefilter) : prefilter_(prefilter) {
  if (hs_clone_scratch(prefilter.scratch_prototype(), &scratch_) != HS_SUCCESS) scratch_ = nullptr;
}

PrefilterRun::~PrefilterRun() {
  hs_free_scratch(scratch_);
}

const PrefilterRun::Scan& PrefilterRun::scan(std::string_view text) {
  const auto key = std::make_pair(text.data(), text.size());
  if (auto found = scanned_.find(key); found != scanned_.end()) return found->second;
  Scan& result = scanned_[key];
  // Vectorscan's behaviour on invalid UTF-8 is undefined, and a scan can fail: in both cases
  // nothing is ruled out.
  if (scratch_ == nullptr || text.size() > UINT32_MAX || !mime::is_valid_utf8(text)) {
    return result;
  }
  result.hits.assign(prefilter_.rule_count(), 0);
  result.complete = hs_scan(prefilter_.database(), text.data(), static_cast<unsigned>(text.size()),
                            0, scratch_, on_match, &result.hits) == HS_SUCCESS;
  return result;
}

bool PrefilterRun::may_match(size_t rule, std::string_view text) {
  if (!prefilter_.covers(rule)) return true;
  const Scan& result = scan(text);
  return !result.complete || result.hits[rule] != 0;
}

}  // namespace aup
