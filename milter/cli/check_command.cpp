// `aupctl check`: read one message, evaluate it with the production engine, print the verdict.
#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "engine/addresses.hpp"
#include "engine/evaluate.hpp"
#include "engine/policy_loader.hpp"
#include "engine/rfc3339.hpp"
#include "mime/header_block.hpp"
#include "scan/clamd_scanner.hpp"

namespace aup::cli {
namespace {

// Reads all of `fd`; "" when it worked, else why not (strerror).
std::string read_all(int fd, std::string& out) {
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got == 0) return "";
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::strerror(errno);
    out.append(buffer, static_cast<size_t>(got));
  }
}

// The whole of `name` ("-": standard input) in `out`; "" when it worked, else why not. Read
// through the descriptor so that every failure is seen: a stream reads a directory, or a file
// that fails with EIO, as an empty message, and that would get a verdict.
std::string read_input(const std::string& name, std::string& out) {
  const bool standard_input = name == "-";
  const int fd = standard_input ? STDIN_FILENO : ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  struct stat status {};
  std::string problem;
  if (::fstat(fd, &status) == 0 && S_ISDIR(status.st_mode)) {
    problem = "it is a directory, not a message file";
  } else {
    problem = read_all(fd, out);
  }
  if (!standard_input) ::close(fd);
  return problem;
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
  if (verdict.footer) {
    std::cout << fmt::format(
        "footer: {}{}\n", verdict.footer->outcome,
        verdict.footer->parts.empty()
            ? ""
            : fmt::format(" (parts {})", fmt::join(verdict.footer->parts, ", ")));
  }
}

// The message as the milter would hand it on: our incoming fields replaced by the verdict's,
// and the footer's body and fields when there is one. Rejected and held messages are not
// delivered, so they are written unchanged.
std::string as_delivered(const std::string& raw, const Verdict& verdict,
                         const std::string& header_prefix) {
  if (verdict.direction == Direction::inbound ||
      (verdict.action != Action::accept && verdict.action != Action::tag)) {
    return raw;
  }
  std::vector<mime::FieldChange> changes;
  for (const HeaderEdit& edit : verdict.add_headers)
    changes.push_back({edit.name, edit.value});
  if (verdict.body_edit) {
    for (const FieldSet& field : verdict.body_edit->set_headers) {
      changes.push_back({field.name, field.value, field.present});
    }
  }
  std::string out =
      mime::rewrite_fields(mime::remove_fields_with_prefix(raw, header_prefix), changes);
  if (verdict.body_edit) {
    out.resize(mime::body_offset(out));
    out += verdict.body_edit->body;
  }
  return out;
}

bool write_file(const std::string& name, const std::string& bytes) {
  std::ofstream out(name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
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
  if (const std::string problem = read_input(options.input, message.raw); !problem.empty()) {
    std::cerr << "aupctl check: cannot read " << options.input << ": " << problem << "\n";
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
  if (options.write_modified &&
      !write_file(*options.write_modified,
                  as_delivered(message.raw, verdict, loaded.policy->settings.header_prefix))) {
    std::cerr << "aupctl check: cannot write " << *options.write_modified << "\n";
    return kExitCantCreate;
  }
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
