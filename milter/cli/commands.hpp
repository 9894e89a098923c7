// The aupctl subcommands. Each returns the process exit status (sysexits.h codes).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace aup::cli {

// sysexits.h values, spelled out so the contract is visible here.
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 64;
constexpr int kExitNoInput = 66;  // also: no such quarantined message
constexpr int kExitCantCreate = 73;
constexpr int kExitConfig = 78;

struct CheckOptions {
  std::string config;
  std::optional<std::string> sender;
  std::vector<std::string> recipients;
  std::optional<std::string> auth_user;
  std::optional<std::string> client_ip;
  std::optional<std::string> time;
  std::optional<std::string> clamd;  // overrides the configuration and turns scanning on
  std::string format = "json";
  std::vector<std::string> inputs;                // file names, or "-" (once) for standard input
  std::optional<std::string> write_modified;      // where to write the message as delivered
  std::optional<std::string> write_modified_dir;  // the same for each file, under its base name
};

struct BenchOptions {
  std::string config;
  std::vector<std::string> inputs;  // message files and directories of them
  std::optional<std::string> auth_user;
  std::vector<std::string> recipients;
  unsigned repeat = 5;
  bool no_prefilter = false;
  bool compare = false;  // also without the prefilter; fail when any verdict differs
  bool per_message = false;
  bool json = false;
};

struct QuarantineOptions {
  std::string config;
  std::string id;
  std::string status = "held";  // list: a status ("held" includes releasing), or "any"
  std::optional<std::string> since, rule, sender;
  bool json = false;
  bool raw = false;
  bool force = false;  // show --raw on a terminal
  std::string reviewer;
  std::string note;
  bool retry_interrupted = false;
  std::optional<unsigned> older_than_days;
};

struct WebOptions {
  std::string config;
  std::optional<std::string> listen;  // serve: overrides web.listen
  std::string name;                   // users: the account
  std::string role = "auditor";       // users add
};

int run_check(const CheckOptions& options);
int run_bench(const BenchOptions& options);
// action: list, show, release, delete, keep-held, purge or audit.
int run_quarantine(const std::string& action, const QuarantineOptions& options);
int run_rules_lint(const std::string& config);
int run_serve(const WebOptions& options);
// action: add, passwd, remove or list.
int run_users(const std::string& action, const WebOptions& options);
int run_rules_test(const std::string& config);

}  // namespace aup::cli
