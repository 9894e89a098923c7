// `aupctl bench`: the engine alone (parse, inspect, rules, footer: what the milter runs per
// message, without the protocol), timed over a set of messages held in memory.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "engine/evaluate.hpp"
#include "engine/policy_loader.hpp"

namespace aup::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// What the daemon runs on: a message's attachments typed on a small pool beside it. Made on
// first use and kept to the end: bench is timed as aup-milter would spend the time.
const Services& daemon_services() {
  static inspect::ThreadPool pool(inspect::ThreadPool::threads_for_this_machine());
  static const inspect::TypeDetector types(pool);
  static const Services services{nullptr, pool, types};
  return services;
}

struct Sample {
  std::string name;
  Message message;
  size_t decoded_bytes = 0;  // text as the rules see it plus decoded attachments
};

// The bytes the rules work on: what "decoded megabytes per second" counts.
size_t decoded_size(const std::string& raw) {
  const mime::MimeView view = mime::parse_message(raw);
  size_t total = 0;
  for (const auto& part : view.text_parts) {
    if (!part.attached) total += part.text.size();
  }
  for (const auto& attachment : view.attachments)
    total += attachment.size;
  return total;
}

std::vector<fs::path> message_files(const std::vector<std::string>& inputs) {
  std::vector<fs::path> files;
  for (const std::string& input : inputs) {
    if (!fs::is_directory(input)) {
      files.emplace_back(input);
      continue;
    }
    for (const auto& entry : fs::directory_iterator(input)) {
      // Corpus folders keep each message's expectations beside it in a .json file.
      if (entry.is_regular_file() && entry.path().extension() != ".json")
        files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool load_samples(const BenchOptions& options, std::vector<Sample>& samples) {
  for (const fs::path& file : message_files(options.inputs)) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (!in) {
      std::cerr << "aupctl bench: cannot read " << file.string() << "\n";
      return false;
    }
    Sample sample{file.filename().string(), {}, 0};
    sample.message.raw = buffer.str();
    sample.message.envelope.auth_user = options.auth_user;
    sample.message.envelope.recipients = options.recipients;
    sample.decoded_bytes = decoded_size(sample.message.raw);
    samples.push_back(std::move(sample));
  }
  if (samples.empty()) std::cerr << "aupctl bench: no messages\n";
  return !samples.empty();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Timings {
  std::vector<double> pass_seconds;                  // one per repetition
  std::vector<std::vector<double>> message_seconds;  // [message][repetition]
};

// One timed pass over every message, added to `timings`.
void timed_pass(const Policy& policy, const std::vector<Sample>& samples, Timings& timings) {
  timings.message_seconds.resize(samples.size());
  const auto pass_start = Clock::now();
  for (size_t i = 0; i < samples.size(); ++i) {
    const auto start = Clock::now();
    (void)evaluate(policy, samples[i].message, daemon_services());
    timings.message_seconds[i].push_back(seconds_since(start));
  }
  timings.pass_seconds.push_back(seconds_since(pass_start));
}

// Passes alternate between the policies, so that drift on the machine hits each alike.
std::vector<Timings> run_passes(const std::vector<const Policy*>& policies,
                                const std::vector<Sample>& samples, unsigned repeat) {
  for (const Policy* policy : policies) {  // warm-up: libmagic's database, JIT, caches
    for (const Sample& sample : samples)
      (void)evaluate(*policy, sample.message, daemon_services());
  }
  std::vector<Timings> timings(policies.size());
  for (unsigned pass = 0; pass < repeat; ++pass) {
    for (size_t p = 0; p < policies.size(); ++p)
      timed_pass(*policies[p], samples, timings[p]);
  }
  return timings;
}

nlohmann::ordered_json report(const Policy& policy, const std::vector<Sample>& samples,
                              const Timings& timings, bool per_message) {
  size_t raw = 0, decoded = 0;
  for (const Sample& sample : samples) {
    raw += sample.message.raw.size();
    decoded += sample.decoded_bytes;
  }
  const double pass = median(timings.pass_seconds);
  nlohmann::ordered_json out;
  out["rules"] = policy.rules.size();
  out["prefilter"] = policy.prefilter != nullptr;
  out["prefilter_rules"] = policy.prefilter ? policy.prefilter->covered_count() : 0;
  out["messages"] = samples.size();
  out["repetitions"] = timings.pass_seconds.size();
  out["raw_bytes"] = raw;
  out["decoded_bytes"] = decoded;
  out["median_pass_seconds"] = pass;
  out["messages_per_second"] = static_cast<double>(samples.size()) / pass;
  out["decoded_mb_per_second"] = static_cast<double>(decoded) / 1e6 / pass;
  out["raw_mb_per_second"] = static_cast<double>(raw) / 1e6 / pass;
  if (per_message) {
    for (size_t i = 0; i < samples.size(); ++i) {
      out["per_message"].push_back({{"name", samples[i].name},
                                    {"raw_bytes", samples[i].message.raw.size()},
                                    {"decoded_bytes", samples[i].decoded_bytes},
                                    {"median_ms", median(timings.message_seconds[i]) * 1e3}});
    }
  }
  return out;
}

void print_text(const nlohmann::ordered_json& out) {
  std::cout << fmt::format(
      "{} rules (prefilter {}: {} rules), {} messages, {:.1f} MB raw, {:.1f} MB decoded, {} "
      "passes\nmedian pass {:.3f} s: {:.1f} msg/s, {:.2f} decoded MB/s, {:.2f} raw MB/s\n",
      out["rules"].get<size_t>(), out["prefilter"].get<bool>() ? "on" : "off",
      out["prefilter_rules"].get<size_t>(), out["messages"].get<size_t>(),
      out["raw_bytes"].get<double>() / 1e6, out["decoded_bytes"].get<double>() / 1e6,
      out["repetitions"].get<size_t>(), out["median_pass_seconds"].get<double>(),
      out["messages_per_second"].get<double>(), out["decoded_mb_per_second"].get<double>(),
      out["raw_mb_per_second"].get<double>());
}

struct Comparison {
  size_t differences = 0;
  size_t matches = 0;  // rule matches in the verdicts without the prefilter
};

// The prefilter may only save time: each message's verdict must be the same without it.
Comparison compare_verdicts(const Policy& with, const Policy& without,
                            const std::vector<Sample>& samples) {
  Comparison comparison;
  for (const Sample& sample : samples) {
    const Verdict reference = evaluate(without, sample.message, daemon_services());
    comparison.matches += reference.matches.size();
    const std::string a = to_json(evaluate(with, sample.message, daemon_services())).dump();
    const std::string b = to_json(reference).dump();
    if (a == b) continue;
    ++comparison.differences;
    std::cerr << fmt::format(
        "aupctl bench: {}: verdicts differ\n  with prefilter:    {}\n"
        "  without prefilter: {}\n",
        sample.name, a, b);
  }
  return comparison;
}

}  // namespace

int run_bench(const BenchOptions& options) {
  const LoadResult loaded = load_policy(options.config);
  if (!loaded.policy) {
    for (const Diagnostic& d : loaded.diagnostics) {
      if (d.severity == Diagnostic::Severity::error) std::cerr << format_diagnostic(d) << "\n";
    }
    return kExitConfig;
  }
  std::vector<Sample> samples;
  if (!load_samples(options, samples)) return kExitNoInput;
  const auto plain = without_prefilter(*loaded.policy);
  std::vector<const Policy*> policies;
  if (!options.no_prefilter) policies.push_back(loaded.policy.get());
  if (options.no_prefilter || options.compare) policies.push_back(plain.get());
  const Comparison comparison =
      options.compare ? compare_verdicts(*loaded.policy, *plain, samples) : Comparison{};
  const std::vector<Timings> timings = run_passes(policies, samples, options.repeat);
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (size_t p = 0; p < policies.size(); ++p)
    out.push_back(report(*policies[p], samples, timings[p], options.per_message));
  if (options.json) {
    std::cout << (out.size() == 1 ? out[0] : out).dump(2) << "\n";
  } else {
    for (const auto& one : out)
      print_text(one);
  }
  if (options.compare) {
    std::cout << fmt::format(
        "verdicts with and without the prefilter: {} of {} differ ({} rule matches)\n",
        comparison.differences, samples.size(), comparison.matches);
  }
  return comparison.differences == 0 ? kExitOk : kExitFailed;
}

}  // namespace aup::cli
