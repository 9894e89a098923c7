// What a load run measured: latencies as percentiles and a histogram, verdicts, errors.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace aup::loadgen {

struct LoadStats {
  std::vector<double> latencies_ms;  // MAIL (or the scheduled start) to the final reply
  std::map<std::string, size_t> verdicts;
  std::map<std::string, size_t> errors;
  std::chrono::duration<double> elapsed{};

  void merge(const LoadStats& other);
  // The value below which `fraction` of the latencies fall (nearest rank).
  double percentile(double fraction) const;
  nlohmann::ordered_json to_json() const;
  std::string to_text() const;
};

}  // namespace aup::loadgen
