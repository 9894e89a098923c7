#include "loadgen/load_stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace aup::loadgen {
namespace {

constexpr std::array<double, 9> kBucketsMs = {0.5, 1, 2, 5, 10, 20, 50, 100, 1000};

std::vector<size_t> histogram(const std::vector<double>& latencies) {
  std::vector<size_t> counts(kBucketsMs.size() + 1, 0);
  for (const double value : latencies) {
    const auto bucket = std::upper_bound(kBucketsMs.begin(), kBucketsMs.end(), value);
    ++counts[static_cast<size_t>(bucket - kBucketsMs.begin())];
  }
  return counts;
}

std::string bucket_name(size_t i) {
  if (i == 0) return fmt::format("<{}ms", kBucketsMs[0]);
  if (i == kBucketsMs.size()) return fmt::format(">={}ms", kBucketsMs.back());
  return fmt::format("{}-{}ms", kBucketsMs[i - 1], kBucketsMs[i]);
}

}  // namespace

void LoadStats::merge(const LoadStats& other) {
  latencies_ms.insert(latencies_ms.end(), other.latencies_ms.begin(), other.latencies_ms.end());
  for (const auto& [name, n] : other.verdicts)
    verdicts[name] += n;
  for (const auto& [name, n] : other.errors)
    errors[name] += n;
}

double LoadStats::percentile(double fraction) const {
  if (latencies_ms.empty()) return 0;
  std::vector<double> sorted = latencies_ms;
  std::sort(sorted.begin(), sorted.end());
  const auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

nlohmann::ordered_json LoadStats::to_json() const {
  nlohmann::ordered_json out;
  const double seconds = elapsed.count();
  out["messages"] = latencies_ms.size();
  out["seconds"] = seconds;
  out["messages_per_second"] =
      seconds > 0 ? static_cast<double>(latencies_ms.size()) / seconds : 0.0;
  out["latency_ms"] = {{"p50", percentile(0.5)},
                       {"p90", percentile(0.9)},
                       {"p99", percentile(0.99)},
                       {"max", percentile(1.0)}};
  const auto counts = histogram(latencies_ms);
  for (size_t i = 0; i < counts.size(); ++i)
    out["histogram"][bucket_name(i)] = counts[i];
  out["verdicts"] = verdicts;
  out["errors"] = errors;
  return out;
}

std::string LoadStats::to_text() const {
  const auto json = to_json();
  std::string out = fmt::format(
      "messages {} in {:.2f} s: {:.1f} msg/s\nlatency ms: p50 {:.2f}  p90 {:.2f}  p99 {:.2f}  "
      "max {:.2f}\nhistogram:",
      latencies_ms.size(), elapsed.count(), json["messages_per_second"].get<double>(),
      percentile(0.5), percentile(0.9), percentile(0.99), percentile(1.0));
  const auto counts = histogram(latencies_ms);
  for (size_t i = 0; i < counts.size(); ++i)
    out += fmt::format(" {} {}", bucket_name(i), counts[i]);
  out += "\nverdicts:";
  for (const auto& [name, n] : verdicts)
    out += fmt::format(" {} {}", name, n);
  size_t error_count = 0;
  for (const auto& [name, n] : errors)
    error_count += n;
  out += fmt::format("\nerrors: {}", error_count);
  for (const auto& [name, n] : errors)
    out += fmt::format("\n  {} x {}", n, name);
  return out + "\n";
}

}  // namespace aup::loadgen
