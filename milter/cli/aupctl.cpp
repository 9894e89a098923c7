// aupctl: the offline front end. `check` gives exactly the verdict the milter would.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <string>

#include "cli/commands.hpp"

namespace {

std::string default_config() {
  const char* from_environment = std::getenv("AUP_CONFIG");
  return from_environment != nullptr && *from_environment != '\0' ? from_environment
                                                                  : AUP_DEFAULT_CONFIG;
}

void add_check(CLI::App& app, aup::cli::CheckOptions& options, int& status) {
  CLI::App* check = app.add_subcommand(
      "check", "Evaluate messages (files, or - for standard input) and print each verdict");
  check->add_option("--config", options.config, "Configuration file")->capture_default_str();
  check->add_option("--sender", options.sender, "Envelope sender (default: the From address)");
  check
      ->add_option("--rcpt", options.recipients,
                   "Envelope recipient, repeatable (default: To, Cc and Bcc)")
      ->allow_extra_args(false);  // one address per --rcpt: the message file may follow
  check->add_option("--auth-user", options.auth_user, "SASL login of the submitting user");
  check->add_option("--client-ip", options.client_ip, "Address of the SMTP client");
  check->add_option("--time", options.time, "Submission time, RFC 3339 (default: now)");
  check->add_option("--clamd", options.clamd,
                    "Scan with clamd at unix:/path or inet:PORT@HOST (default: the configuration)");
  check
      ->add_option("--format", options.format,
                   "Output format (jsonl: a JSON line per file, naming it, even for one file)")
      ->check(CLI::IsMember({"json", "jsonl", "text"}))
      ->capture_default_str();
  check->add_option("--write-modified", options.write_modified,
                    "Write the message as it would be delivered (headers and footer) to this file");
  check->add_option("--write-modified-dir", options.write_modified_dir,
                    "Write each message as it would be delivered to this directory, under the "
                    "file's own name");
  check
      ->add_option("FILE", options.inputs,
                   "Message files, or - for standard input; with several, one JSON line each")
      ->required();
  check->callback([&] { status = aup::cli::run_check(options); });
}

void add_bench(CLI::App& app, aup::cli::BenchOptions& options, int& status) {
  CLI::App* bench = app.add_subcommand(
      "bench", "Time the engine (parse, inspect, rules, footer) over messages held in memory");
  bench->add_option("--config", options.config, "Configuration file")->capture_default_str();
  bench->add_option("--auth-user", options.auth_user,
                    "SASL login for every message (default: none)");
  bench
      ->add_option("--rcpt", options.recipients,
                   "Envelope recipient, repeatable (default: To, Cc and Bcc)")
      ->allow_extra_args(false);  // one address per --rcpt: the message file may follow
  bench->add_option("--repeat", options.repeat, "Timed passes over the messages")
      ->check(CLI::Range(1u, 10000u))
      ->capture_default_str();
  bench->add_flag("--no-prefilter", options.no_prefilter,
                  "Run every pattern rule's PCRE2 pattern on every value");
  bench->add_flag("--compare", options.compare,
                  "Time with and without the prefilter, and fail if any verdict differs");
  bench->add_flag("--per-message", options.per_message, "With --json: each message's median");
  bench->add_flag("--json", options.json, "JSON output");
  bench->add_option("MESSAGES", options.inputs, "Message files or directories")->required();
  bench->callback([&] { status = aup::cli::run_bench(options); });
}

void add_rules(CLI::App& app, std::string& config, int& status) {
  CLI::App* rules = app.add_subcommand("rules", "Work with rule files");
  rules->require_subcommand(1);
  CLI::App* lint = rules->add_subcommand("lint", "Report every problem in the rule files");
  lint->add_option("--config", config, "Configuration file")->capture_default_str();
  lint->callback([&] { status = aup::cli::run_rules_lint(config); });
  CLI::App* test = rules->add_subcommand("test", "Run every rule's examples");
  test->add_option("--config", config, "Configuration file")->capture_default_str();
  test->callback([&] { status = aup::cli::run_rules_test(config); });
}

CLI::App* add_quarantine_action(CLI::App& quarantine, aup::cli::QuarantineOptions& options,
                                int& status, const std::string& name, const std::string& help) {
  CLI::App* action = quarantine.add_subcommand(name, help);
  action->add_option("--config", options.config, "Configuration file")->capture_default_str();
  action->callback([&options, &status, name] { status = aup::cli::run_quarantine(name, options); });
  return action;
}

void add_quarantine(CLI::App& app, aup::cli::QuarantineOptions& options, int& status) {
  CLI::App* quarantine = app.add_subcommand("quarantine", "Review held messages");
  quarantine->require_subcommand(1);
  CLI::App* list =
      add_quarantine_action(*quarantine, options, status, "list", "List quarantined messages");
  list->add_option("--status", options.status,
                   "held (awaiting a decision), releasing, released, deleted, expired or any")
      ->capture_default_str();
  list->add_option("--since", options.since, "Held on or after: 2026-11-01 or RFC 3339 time");
  list->add_option("--rule", options.rule, "Held by this rule id");
  list->add_option("--sender", options.sender, "From this envelope sender");
  list->add_flag("--json", options.json, "JSON output");
  CLI::App* show = add_quarantine_action(*quarantine, options, status, "show",
                                         "Show why a message was held, and its content as text");
  show->add_option("ID", options.id, "Quarantine id")->required();
  show->add_flag("--json", options.json, "JSON output");
  show->add_flag("--raw", options.raw, "The stored message bytes, exactly as received");
  show->add_flag("--force", options.force, "With --raw: print even on a terminal");
  show->add_option("--reviewer", options.reviewer,
                   "Who is reading (recorded; default: the login name)");
  for (const auto& [name, help] :
       {std::pair<std::string, std::string>{"release", "Deliver a held message to its recipients"},
        {"delete", "Delete a held message without delivering it"},
        {"keep-held", "Keep a message held, recording why (the note is required)"}}) {
    CLI::App* decide = add_quarantine_action(*quarantine, options, status, name, help);
    decide->add_option("ID", options.id, "Quarantine id")->required();
    decide->add_option("--reviewer", options.reviewer, "Who decides (recorded)")->required();
    CLI::Option* note = decide->add_option("--note", options.note, "Why (recorded)");
    if (name == "keep-held") note->required();
    if (name == "release") {
      decide->add_flag("--retry-interrupted", options.retry_interrupted,
                       "Retry a release that was interrupted (a duplicate is possible)");
    }
  }
  CLI::App* purge = add_quarantine_action(
      *quarantine, options, status, "purge",
      "Expire held messages and remove stored copies older than the retention period");
  purge
      ->add_option("--older-than", options.older_than_days,
                   "Days (default: quarantine.retention_days, 30)")
      ->check(CLI::Range(0u, 36500u));
  purge->add_option("--reviewer", options.reviewer, "Who purges (default: retention)");
  CLI::App* audit = add_quarantine_action(*quarantine, options, status, "audit",
                                          "Every action on held messages: who, what, when");
  audit->add_option("ID", options.id, "Only this message");
  audit->add_flag("--json", options.json, "JSON output");
}

void add_web(CLI::App& app, aup::cli::WebOptions& options, int& status) {
  CLI::App* serve = app.add_subcommand(
      "serve", "Serve the quarantine review pages for compliance officers (HTTP)");
  serve->add_option("--config", options.config, "Configuration file")->capture_default_str();
  serve->add_option("--listen", options.listen, "HOST:PORT (default: web.listen, 127.0.0.1:8026)");
  serve->callback([&] { status = aup::cli::run_serve(options); });
  CLI::App* users = app.add_subcommand("users", "Accounts of the review pages");
  users->require_subcommand(1);
  const auto action = [&](const std::string& name, const std::string& help) {
    CLI::App* command = users->add_subcommand(name, help);
    command->add_option("--config", options.config, "Configuration file")->capture_default_str();
    command->callback([&options, &status, name] { status = aup::cli::run_users(name, options); });
    return command;
  };
  action("add", "Add an account; the password is read from standard input")
      ->add_option("NAME", options.name, "Account name")
      ->required();
  users->get_subcommand("add")
      ->add_option("--role", options.role, "officer (decides) or auditor (reads)")
      ->capture_default_str();
  action("passwd", "Set an account's password (read from standard input)")
      ->add_option("NAME", options.name, "Account name")
      ->required();
  action("remove", "Remove an account")
      ->add_option("NAME", options.name, "Account name")
      ->required();
  action("list", "List accounts and their roles");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"aupctl: check mail against the acceptable-use policy, and maintain its rules"};
  app.set_version_flag("--version", std::string("aupctl ") + AUP_VERSION);
  app.require_subcommand(1);
  aup::cli::CheckOptions check_options;
  check_options.config = default_config();
  std::string rules_config = default_config();
  int status = aup::cli::kExitOk;
  add_check(app, check_options, status);
  aup::cli::BenchOptions bench_options;
  bench_options.config = default_config();
  add_bench(app, bench_options, status);
  add_rules(app, rules_config, status);
  aup::cli::QuarantineOptions quarantine_options;
  quarantine_options.config = default_config();
  add_quarantine(app, quarantine_options, status);
  aup::cli::WebOptions web_options;
  web_options.config = default_config();
  add_web(app, web_options, status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    app.exit(error);
    return aup::cli::kExitUsage;
  }
  return status;
}
