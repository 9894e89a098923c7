// aup-milter: the daemon Postfix and Sendmail talk to; a thin libmilter adapter over the engine.
#include <libmilter/mfapi.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "daemon/connection_limit.hpp"
#include "daemon/daemon_config.hpp"
#include "daemon/decision_counts.hpp"
#include "daemon/log_line.hpp"
#include "daemon/milter_callbacks.hpp"
#include "daemon/reload.hpp"
#include "daemon/socket_options.hpp"
#include "inspect/executor.hpp"
#include "inspect/true_type.hpp"
#include "scan/clamd_client.hpp"

namespace {

constexpr int kExitUsage = 64;
constexpr int kExitSoftware = 70;
constexpr int kExitCantCreate = 73;
constexpr int kExitConfig = 78;

struct Options {
  std::string config = "/etc/aup-milter/aup.json";
  std::string socket;
  std::string pidfile;
  bool foreground = false;
  bool check_config = false;
  std::optional<std::string> clamd;
};

std::shared_ptr<const aup::daemon::DaemonConfig> load_or_report(const std::string& path) {
  const aup::daemon::DaemonConfigLoad loaded = aup::daemon::load_daemon_config(path);
  for (const aup::Diagnostic& d : loaded.diagnostics) {
    std::cerr << aup::format_diagnostic(d) << "\n";
  }
  return loaded.config;
}

// systemd sets JOURNAL_STREAM=DEVICE:INODE for a service whose stderr is the journal; children
// inherit the variable with other stderrs, so the stream itself must match (sd_journal's advice).
bool stderr_is_the_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat status {};
  if (stream == nullptr || fstat(STDERR_FILENO, &status) != 0) return false;
  unsigned long long device = 0;
  unsigned long long inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
  return device == status.st_dev && inode == status.st_ino;
}

bool open_quarantine(aup::daemon::QuarantineService& quarantines,
                     const aup::QuarantineSettings& settings) {
  try {
    quarantines.open(settings);
    return true;
  } catch (const std::exception& error) {
    aup::daemon::LogLine(LOG_ERR, "quarantine cannot be opened")
        .add("directory", settings.directory)
        .add("error", error.what())
        .send();
    std::cerr << "aup-milter: quarantine " << settings.directory << ": " << error.what() << "\n";
    return false;
  }
}

// Registers the callbacks and opens the socket: 0, or the exit status.
int open_milter_socket(const std::string& socket) {
  smfiDesc description = aup::daemon::filter_description();
  if (smfi_setconn(const_cast<char*>(socket.c_str())) != MI_SUCCESS ||
      smfi_register(description) != MI_SUCCESS) {
    aup::daemon::LogLine(LOG_ERR, "cannot set up the milter socket").add("socket", socket).send();
    std::cerr << "aup-milter: cannot set up milter socket " << socket << "\n";
    return kExitSoftware;
  }
  if (smfi_opensocket(1) != MI_SUCCESS) {
    std::cerr << "aup-milter: cannot open " << socket << "\n";
    return kExitSoftware;
  }
  return 0;
}

int run(const Options& options) {
  auto config = load_or_report(options.config);
  if (!config) return kExitConfig;
  if (options.check_config) {
    std::cout << options.config << ": " << config->policy->rules.size()
              << " rules, configuration OK\n";
    return 0;
  }
  if (options.socket.empty()) {
    std::cerr << "aup-milter: --socket is required\n";
    return kExitUsage;
  }
  if (!options.foreground && daemon(0, 0) != 0) return kExitSoftware;
  // In the foreground (tests, a terminal) log lines also go to stderr, but not when stderr is
  // the journal: syslog reaches it already, and each line would show twice.
  const bool echo_to_stderr = options.foreground && !stderr_is_the_journal();
  openlog("aup-milter", LOG_PID | (echo_to_stderr ? LOG_PERROR : 0), LOG_MAIL);
  if (!options.pidfile.empty()) std::ofstream(options.pidfile) << getpid() << "\n";
  aup::daemon::block_reload_signal();
  // Open the quarantine now: a directory it cannot write is a setup error to fix before mail
  // flows, not a tempfail discovered on the first held message.
  aup::daemon::QuarantineService quarantines;
  if (!open_quarantine(quarantines, config->quarantine)) return kExitCantCreate;
  if (!aup::daemon::apply_connection_settings(config->daemon)) {
    std::cerr << "aup-milter: libmilter refused daemon.idle_timeout_seconds\n";
    return kExitConfig;
  }
  aup::daemon::ConfigHolder configs(std::move(config));
  // Made after daemon(), whose fork would leave the pool without threads, and never
  // destroyed: libmilter's threads may still be evaluating when smfi_main returns.
  auto* engine_workers =
      new aup::inspect::ThreadPool(aup::inspect::ThreadPool::threads_for_this_machine());
  const auto* types = new aup::inspect::TypeDetector(*engine_workers);
  aup::daemon::use_configuration(configs, quarantines, options.clamd, *engine_workers, *types);
  if (const int failed = open_milter_socket(options.socket); failed != 0) return failed;
  aup::daemon::LogLine(LOG_DEBUG, "TCP_NODELAY set")
      .add("listening_sockets", aup::daemon::disable_nagle_on_listening_sockets())
      .send();
  const aup::daemon::ReloadThread reloads(configs, quarantines, options.config);
  aup::daemon::LogLine(LOG_INFO, "listening").add("socket", options.socket).send();
  sd_notify(0, "READY=1");
  const int status = smfi_main();
  sd_notify(0, "STOPPING=1");
  aup::daemon::log_counts(aup::daemon::decision_counts().snapshot(), "since start");
  aup::daemon::log_text(LOG_INFO, "stopped");
  if (!options.pidfile.empty()) unlink(options.pidfile.c_str());
  return status == MI_SUCCESS ? 0 : kExitSoftware;
}

// daemon() changes to /, and a reload reads the configuration again: relative paths given on
// the command line must mean what they meant where the daemon was started.
std::string absolute_path(const std::string& path) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute.string();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"aup-milter: enforce the acceptable-use policy on outbound mail"};
  app.set_version_flag("--version", std::string("aup-milter ") + AUP_VERSION);
  Options options;
  app.add_option("--config", options.config, "Configuration file")->capture_default_str();
  app.add_option("--socket", options.socket,
                 "Milter socket: inet:PORT@HOST or unix:/path (libmilter syntax)");
  app.add_option("--pidfile", options.pidfile, "Write the process id here");
  app.add_flag("--foreground", options.foreground, "Do not detach (for systemd and tests)");
  app.add_flag("--check-config", options.check_config, "Validate the configuration and exit");
  app.add_option("--clamd", options.clamd,
                 "Scan with clamd at unix:/path or inet:PORT@HOST (overrides the configuration)")
      ->check([](const std::string& text) {
        return aup::parse_clamd_address(text) ? "" : "not unix:/path or inet:PORT@HOST";
      });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : kExitUsage;
  }
  options.config = absolute_path(options.config);
  if (!options.pidfile.empty()) options.pidfile = absolute_path(options.pidfile);
  return run(options);
}
