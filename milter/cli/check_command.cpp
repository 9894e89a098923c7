// `aupctl check`: read one message, evaluate it with the production engine, print the verdict.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/commands.hpp"
#include "engine/addresses.hpp"
#include "engine/evaluate.hpp"
#include "engine/policy_loader.hpp"
#include "engine/rfc3339.hpp"
#include "scan/clamd_scanner.hpp"

namespace aup::cli {
namespace {

bool read_input(const std::string& name, std::string& out) {
  if (name == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return !std::cin.bad();
  }
  std::ifstream in(name, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = buffer.str();
  return !in.bad();
}

// Usage problems in the options, or "" when they are fine.
std::string option_problem(const CheckOptions& options, Envelope& envelope) {
  if (options.time) {
    const auto time = parse_rfc3339(*options.time);
    if (!time) return fmt::format("--time: \"{}\" is not an RFC 3339 timestamp", *options.time);
    envelope.time = *time;
  }
  if (options.clamd && !scan::parse_clamd_address(*options.clamd)) {
    return fmt::format("--clamd: \"{}\" is not unix:/path or inet:PORT@HOST", *options.clamd);
  }
  if (options.client_ip && !parse_ip(*options.client_ip)) {
    return fmt::format("--client-ip: \"{}\" is not an IP address", *options.client_ip);
  }
  return "";
}

void print_text(const Verdict& verdict) {
  std::cout << "action: " << to_string(verdict.action) << "\n"
            << "direction: " << to_string(verdict.direction) << "\n";
  if (verdict.reply) {
    std::cout << "reply: " << verdict.reply->code << " " << verdict.reply->xcode << " "
              << verdict.reply->text << "\n";
  }
  for (const Match& match : verdict.matches) {
    std::cout << fmt::format("match: {} [{} {}] clause {} ({}): {}\n", match.rule,
                             to_string(match.action), to_string(match.mode), match.policy_ref,
                             match.scope, match.detail);
  }
  for (const HeaderEdit& edit : verdict.add_headers) {
    std::cout << "add header: " << edit.name << ": " << edit.value << "\n";
  }
}

}  // namespace

int run_check(const CheckOptions& options) {
  Message message;
  message.envelope.sender = options.sender;
  message.envelope.recipients = options.recipients;
  message.envelope.auth_user = options.auth_user;
  message.envelope.client_ip = options.client_ip;
  if (const std::string problem = option_problem(options, message.envelope); !problem.empty()) {
    std::cerr << "aupctl check: " << problem << "\n";
    return kExitUsage;
  }
  if (!read_input(options.input, message.raw)) {
    std::cerr << "aupctl check: cannot read " << options.input << "\n";
    return kExitNoInput;
  }
  const LoadResult loaded = load_policy(options.config);
  if (!loaded.policy) {
    for (const Diagnostic& d : loaded.diagnostics) {
      if (d.severity == Diagnostic::Severity::error) std::cerr << format_diagnostic(d) << "\n";
    }
    return kExitConfig;
  }
  const auto scanner = scan::scanner_for(loaded.policy->settings.clamd, options.clamd);
  const Verdict verdict = evaluate(*loaded.policy, message, scanner.get());
  if (options.format == "text") {
    print_text(verdict);
  } else {
    std::cout << to_json(verdict).dump(2, ' ', false,
                                       nlohmann::ordered_json::error_handler_t::replace)
              << "\n";
  }
  return kExitOk;
}

}  // namespace aup::cli
