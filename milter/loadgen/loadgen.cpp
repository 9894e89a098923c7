// aup-loadgen: drives any milter as Postfix would, with N connections, closed-loop (as fast as
// answers come) or open-loop (a fixed rate, latency measured from each message's scheduled
// start, so a slow milter cannot hide its queueing), and reports throughput and latency.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "loadgen/load_stats.hpp"
#include "loadgen/milter_client.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using aup::loadgen::LoadStats;

struct Options {
  std::string socket;
  std::string messages;
  size_t connections = 1;
  size_t count = 0;  // 0: each file once
  double rate = 0;   // messages per second; 0: closed loop
  aup::loadgen::SessionFacts facts;
  bool json = false;
};

std::vector<aup::loadgen::MessageParts> read_messages(const std::string& directory) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.is_regular_file() && entry.path().extension() == ".eml")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<aup::loadgen::MessageParts> messages;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    messages.push_back(aup::loadgen::split_message(bytes.str()));
  }
  return messages;
}

std::string verdict_name(const aup::loadgen::Answer& answer) {
  switch (answer.verdict) {
    case 'a':
    case 'c':
      if (answer.quarantined) return "quarantine";
      return answer.modifications > 0 ? "accept-modified" : "accept";
    case 'd':
      return "discard";
    case 'r':
      return "reject";
    case 't':
      return "tempfail";
    case 'y':
      return answer.reply.starts_with('4') ? "tempfail" : "reject";
    default:
      return "other";
  }
}

class Run {
 public:
  Run(const Options& options, std::vector<aup::loadgen::MessageParts> messages)
      : options_(options), messages_(std::move(messages)) {}

  LoadStats go() {
    const size_t total = options_.count > 0 ? options_.count : messages_.size();
    std::vector<LoadStats> per_worker(options_.connections);
    std::vector<std::thread> workers;
    start_ = Clock::now();
    for (size_t w = 0; w < options_.connections; ++w) {
      workers.emplace_back([this, total, &stats = per_worker[w]] { work(total, stats); });
    }
    for (auto& worker : workers)
      worker.join();
    LoadStats all;
    for (const auto& stats : per_worker)
      all.merge(stats);
    all.elapsed = Clock::now() - start_;
    return all;
  }

 private:
  void work(size_t total, LoadStats& stats) {
    std::unique_ptr<aup::loadgen::MilterConnection> connection;
    for (size_t k = next_++; k < total; k = next_++) {
      Clock::time_point begin = Clock::now();
      if (options_.rate > 0) {
        begin = start_ + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(static_cast<double>(k) / options_.rate));
        std::this_thread::sleep_until(begin);
      }
      try {
        if (!connection) {
          connection = std::make_unique<aup::loadgen::MilterConnection>(options_.socket);
          connection->connect(options_.facts);
        }
        const auto answer = connection->send(options_.facts, messages_[k % messages_.size()],
                                             fmt::format("LG{:08X}", k));
        stats.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
        ++stats.verdicts[verdict_name(answer)];
      } catch (const std::exception& error) {
        ++stats.errors[error.what()];
        connection.reset();  // a fresh connection for the next message
      }
    }
    if (connection) connection->quit();
  }

  const Options& options_;
  std::vector<aup::loadgen::MessageParts> messages_;
  std::atomic<size_t> next_{0};
  Clock::time_point start_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"aup-loadgen: drive a milter as an MTA would and measure it"};
  Options options;
  options.facts.recipients = {"partner@example.org"};
  options.facts.sender = "jo.bloggs@medway.gov.uk";
  app.add_option("--socket", options.socket, "Milter: inet:PORT@HOST or unix:/path")->required();
  app.add_option("--messages", options.messages, "Directory of .eml files")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--connections", options.connections, "Concurrent connections")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--count", options.count, "Messages to send (default: each file once)");
  app.add_option("--rate", options.rate, "Open loop: messages per second (default: closed loop)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--sender", options.facts.sender, "Envelope sender")->capture_default_str();
  app.add_option("--rcpt", options.facts.recipients, "Envelope recipient, repeatable");
  app.add_option("--auth-user", options.facts.auth_user, "{auth_authen} (default: none)");
  app.add_option("--client-ip", options.facts.client_ip, "Client address")->capture_default_str();
  app.add_flag("--json", options.json, "JSON output");
  CLI11_PARSE(app, argc, argv);
  auto messages = read_messages(options.messages);
  if (messages.empty()) {
    std::cerr << "aup-loadgen: no .eml files in " << options.messages << "\n";
    return 66;
  }
  const LoadStats stats = Run(options, std::move(messages)).go();
  if (options.json) {
    std::cout << stats.to_json().dump(2) << "\n";
  } else {
    std::cout << stats.to_text();
  }
  return stats.errors.empty() ? 0 : 1;
}
