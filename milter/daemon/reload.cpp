// The reload thread and the load-then-swap step it runs.
#include "daemon/reload.hpp"

#include <malloc.h>
#include <signal.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>

#include <chrono>
#include <thread>

#include "daemon/decision_counts.hpp"
#include "daemon/log_line.hpp"

namespace aup::daemon {

void block_reload_signal() {
  // libmilter's own signal thread sigwaits for HUP, TERM and INT; no other thread may take them.
  sigset_t set;
  sigemptyset(&set);
  for (const int signal_number : {SIGUSR1, SIGHUP, SIGTERM, SIGINT}) {
    sigaddset(&set, signal_number);
  }
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

bool reload_config(ConfigHolder& configs, QuarantineService& quarantines,
                   const std::string& config_path) {
  DaemonConfigLoad loaded = load_daemon_config(config_path);
  for (const Diagnostic& d : loaded.diagnostics) {
    const int level = d.severity == Diagnostic::Severity::error ? LOG_ERR : LOG_WARNING;
    LogLine(level, "reload:").add("diagnostic", format_diagnostic(d)).send();
  }
  if (!loaded.config) {
    LogLine(LOG_ERR, "reload failed; the previous policy stays in force")
        .add("config", config_path)
        .send();
    return false;
  }
  // A quarantine the new policy cannot write would tempfail every held message: keep the old.
  try {
    quarantines.open(loaded.config->quarantine);
  } catch (const std::exception& error) {
    LogLine(LOG_ERR, "reload failed: quarantine cannot be opened; the previous policy stays")
        .add("config", config_path)
        .add("directory", loaded.config->quarantine.directory)
        .add("error", error.what())
        .send();
    return false;
  }
  const size_t rules = loaded.config->policy->rules.size();
  configs.replace(std::move(loaded.config));
  LogLine(LOG_INFO, "reloaded").add("config", config_path).add("rules", rules).send();
  return true;
}

ReloadThread::ReloadThread(ConfigHolder& configs, QuarantineService& quarantines,
                           std::string config_path)
    : thread_([this, &configs, &quarantines, path = std::move(config_path)] {
        run(configs, quarantines, path);
      }) {}

ReloadThread::~ReloadThread() {
  stopping_ = true;
  thread_.join();
}

// glibc keeps memory freed by the worker threads in their arenas; every few seconds it is handed
// back to the system, so that resident memory follows what is in use rather than its peaks.
constexpr unsigned kTicksPerTrim = 20;  // quarter seconds

// How often the counts of decisions are logged (decision_counts.hpp says why).
constexpr auto kCountsEvery = std::chrono::hours(1);

// Logs the last period's counts when it is over; returns when the next one ends.
std::chrono::steady_clock::time_point log_hourly_counts(std::chrono::steady_clock::time_point due,
                                                        CountSnapshot& at_last) {
  if (std::chrono::steady_clock::now() < due) return due;
  const CountSnapshot now = decision_counts().snapshot();
  log_counts(now.since(at_last), "in the last hour");
  at_last = now;
  return due + kCountsEvery;
}

// Waits for SIGUSR1 a little at a time, so that a stop is noticed within a quarter second.
void ReloadThread::run(ConfigHolder& configs, QuarantineService& quarantines,
                       const std::string& path) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  const timespec quarter_second{0, 250'000'000};
  auto counts_due = std::chrono::steady_clock::now() + kCountsEvery;
  CountSnapshot counted = decision_counts().snapshot();
  for (unsigned tick = 1; !stopping_; ++tick) {
    if (tick % kTicksPerTrim == 0) malloc_trim(0);
    counts_due = log_hourly_counts(counts_due, counted);
    if (sigtimedwait(&set, nullptr, &quarter_second) != SIGUSR1) continue;
    log_counts(decision_counts().snapshot(), "since start");
    sd_notify(0, "RELOADING=1");
    try {
      reload_config(configs, quarantines, path);
    } catch (...) {
      log_text(LOG_ERR, "reload failed unexpectedly; the previous policy stays");
    }
    sd_notify(0, "READY=1");
  }
}

}  // namespace aup::daemon
