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
      "check", "Evaluate one message (a file, or - for standard input) and print the verdict");
  check->add_option("--config", options.config, "Configuration file")->capture_default_str();
  check->add_option("--sender", options.sender, "Envelope sender (default: the From address)");
  check->add_option("--rcpt", options.recipients,
                    "Envelope recipient, repeatable (default: To, Cc and Bcc)");
  check->add_option("--auth-user", options.auth_user, "SASL login of the submitting user");
  check->add_option("--client-ip", options.client_ip, "Address of the SMTP client");
  check->add_option("--time", options.time, "Submission time, RFC 3339 (default: now)");
  check->add_option("--clamd", options.clamd,
                    "Scan with clamd at unix:/path or inet:PORT@HOST (default: the configuration)");
  check->add_option("--format", options.format, "Output format")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  check->add_option("FILE", options.input, "Message file, or - for standard input")->required();
  check->callback([&] { status = aup::cli::run_check(options); });
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
  add_rules(app, rules_config, status);
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
