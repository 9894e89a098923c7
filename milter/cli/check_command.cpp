// `aupctl check`: read messages, evaluate each with the production engine, print the verdicts.
// Several files share one policy load, so a corpus costs one process rather than one per file.
#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

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

// `--rcpt a b FILE` gives "b" as a message file (each --rcpt takes one address, so that files
// may follow it): an argument that is no file but looks like an address is that mistake.
bool mistaken_recipient(const std::string& input) {
  struct stat status {};
  return input.find('@') != std::string::npos && input.find('/') == std::string::npos &&
         ::stat(input.c_str(), &status) != 0;
}

std::string input_problem(const CheckOptions& options) {
  size_t standard_inputs = 0;
  for (const std::string& input : options.inputs) {
    if (input == "-") ++standard_inputs;
    if (mistaken_recipient(input)) {
      return fmt::format(
          "\"{}\" is not a message file; each --rcpt takes one address, for several recipients "
          "repeat it (--rcpt a@example.org --rcpt b@example.org)",
          input);
    }
  }
  if (standard_inputs > 1) return "standard input (-) can be read only once";
  if (options.write_modified && options.inputs.size() > 1) {
    return "--write-modified takes one message file; for several, --write-modified-dir";
  }
  return "";
}

// --write-modified-dir names each output by its input's base name, so those must be distinct
// (two files would overwrite one) and exist (standard input has none).
std::string output_dir_problem(const CheckOptions& options) {
  if (!options.write_modified_dir) return "";
  if (options.write_modified) return "--write-modified and --write-modified-dir exclude each other";
  std::set<std::string> names;
  for (const std::string& input : options.inputs) {
    if (input == "-") return "--write-modified-dir cannot name standard input (-)";
    const std::string name = std::filesystem::path(input).filename();
    if (!names.insert(name).second) {
      return fmt::format("--write-modified-dir: two files are named \"{}\"", name);
    }
  }
  return "";
}

// Usage problems in the options, or "" when they are fine.
std::string option_problem(const CheckOptions& options, Envelope& envelope) {
  if (std::string problem = input_problem(options); !problem.empty()) return problem;
  if (std::string problem = output_dir_problem(options); !problem.empty()) return problem;
  if (options.time) {
    const auto time = parse_rfc3339(*options.time);
    if (!time) return fmt::format("--time: \"{}\" is not an RFC 3339 timestamp", *options.time);
    envelope.time = *time;
  }
  if (options.clamd && !parse_clamd_address(*options.clamd)) {
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

// One JSON object per line when there are several messages, each naming its file first.
nlohmann::ordered_json verdict_line(const std::string& file, const Verdict& verdict) {
  nlohmann::ordered_json line{{"file", file}};
  const nlohmann::ordered_json fields = to_json(verdict);
  for (const auto& [key, value] : fields.items())
    line[key] = value;
  return line;
}

std::string dump(const nlohmann::ordered_json& json, int indent) {
  return json.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

struct CheckRun {
  const CheckOptions& options;
  const Policy& policy;
  const Services& services;  // sequential: each verdict as if the message were alone
  bool several;
};

void print_verdict(const CheckRun& run, const std::string& file, const Verdict& verdict) {
  if (run.options.format == "text") {
    if (run.several) std::cout << "file: " << file << "\n";
    print_text(verdict);
    if (run.several) std::cout << "\n";
  } else {
    std::cout << (run.several ? dump(verdict_line(file, verdict), -1) : dump(to_json(verdict), 2))
              << "\n";
  }
  // Each verdict leaves as soon as it is known, so a reader of a long run sees progress (and
  // the robustness tests time every message).
  std::cout.flush();
}

// Where the message as delivered goes, if anywhere.
std::optional<std::string> modified_path(const CheckOptions& options, const std::string& file) {
  if (options.write_modified_dir) {
    return std::filesystem::path(*options.write_modified_dir) /
           std::filesystem::path(file).filename();
  }
  return options.write_modified;
}

// Evaluates and prints one message; the exit status it calls for.
int check_one(const CheckRun& run, Message message, const std::string& file) {
  if (const std::string problem = read_input(file, message.raw); !problem.empty()) {
    std::cerr << "aupctl check: cannot read " << file << ": " << problem << "\n";
    if (run.several && run.options.format != "text") {
      std::cout << dump(nlohmann::ordered_json{{"file", file}, {"error", problem}}, -1) << "\n";
    }
    return kExitNoInput;
  }
  const Verdict verdict = evaluate(run.policy, message, run.services);
  if (const auto target = modified_path(run.options, file);
      target &&
      !write_file(*target, as_delivered(message.raw, verdict, run.policy.settings.header_prefix))) {
    std::cerr << "aupctl check: cannot write " << *target << "\n";
    return kExitCantCreate;
  }
  print_verdict(run, file, verdict);
  return kExitOk;
}

}  // namespace

// Every file is checked even when one cannot be read; the status is then 66.
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
  LoadResult loaded = load_policy(options.config);
  const ClamdSettings clamd = read_front_end(loaded, read_clamd_settings);
  if (!loaded.policy) {
    for (const Diagnostic& d : loaded.diagnostics) {
      if (d.severity == Diagnostic::Severity::error) std::cerr << format_diagnostic(d) << "\n";
    }
    return kExitConfig;
  }
  const auto scanner = scan::scanner_for(clamd, options.clamd);
  // jsonl: the several-file form even for one file, so that a program reads one shape.
  const bool several = options.inputs.size() > 1 || options.format == "jsonl";
  const LocalServices services(scanner.get());
  const CheckRun run{options, *loaded.policy, services.get(), several};
  int status = kExitOk;
  for (const std::string& file : options.inputs) {
    const int outcome = check_one(run, message, file);
    if (outcome != kExitOk) status = outcome;
    if (outcome == kExitCantCreate) break;
  }
  return status;
}

}  // namespace aup::cli
