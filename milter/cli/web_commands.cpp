// `aupctl serve` (the compliance officers' web pages) and `aupctl users` (their accounts).
#include <fmt/format.h>
#include <httplib.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <thread>

#include "cli/commands.hpp"
#include "review/settings_file.hpp"
#include "web/accounts.hpp"
#include "web/guarded_server.hpp"
#include "web/server.hpp"

namespace aup::cli {
namespace {

constexpr int kExitSoftware = 70;

// One line from stdin; on a terminal, asked for twice without echo.
std::optional<std::string> read_password() {
  if (!isatty(STDIN_FILENO)) {
    std::string line;
    if (!std::getline(std::cin, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  termios saved{};
  tcgetattr(STDIN_FILENO, &saved);
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string first, second;
  std::cerr << "Password: ";
  std::getline(std::cin, first);
  std::cerr << "\nAgain: ";
  std::getline(std::cin, second);
  std::cerr << "\n";
  tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  if (first != second) {
    std::cerr << "aupctl users: the two passwords differ\n";
    return std::nullopt;
  }
  return first;
}

bool split_listen(const std::string& listen, std::string& host, int& port) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  port = std::atoi(listen.c_str() + colon + 1);
  return !host.empty() && port > 0 && port < 65536;
}

// The settings, the quarantine's section and the pages' own, or nothing (problems printed).
std::optional<WebConfig> read_web_config(const std::string& path) {
  WebSettings web;
  const auto review = review::read_review_config(
      path,
      [&](const SourceFile& file, DiagnosticSink& sink) { web = read_web_settings(file, sink); });
  if (!review) return std::nullopt;
  return WebConfig{review->settings, review->quarantine, std::move(web)};
}

// SIGTERM and SIGINT stop the server from a thread of their own (no work in a handler).
std::thread stop_on_signals(httplib::Server& server) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return std::thread([&server, signals] {
    int received = 0;
    sigwait(&signals, &received);
    server.stop();
  });
}

}  // namespace

int run_serve(const WebOptions& options) {
  const auto config = read_web_config(options.config);
  if (!config) return kExitConfig;
  std::string host;
  int port = 0;
  const std::string listen = options.listen.value_or(config->web.listen);
  if (!split_listen(listen, host, port)) {
    std::cerr << fmt::format("aupctl serve: --listen \"{}\" is not HOST:PORT\n", listen);
    return kExitUsage;
  }
  // Its workers, deadlines and size limits are in web/limits.hpp.
  web::GuardedServer server(config->web.trusted_proxies);
  std::shared_ptr<void> app;
  try {
    app = web::install_routes(server, *config);
  } catch (const std::exception& error) {
    std::cerr << "aupctl serve: quarantine: " << error.what() << "\n";
    return kExitNoInput;
  }
  if (!server.bind_to_port(host, port)) {
    std::cerr << fmt::format("aupctl serve: cannot listen on {}\n", listen);
    return kExitCantCreate;
  }
  std::thread stopper = stop_on_signals(server);
  std::cerr << fmt::format("aupctl serve: listening on http://{}/\n", listen) << std::flush;
  const bool clean = server.listen_after_bind();
  pthread_kill(stopper.native_handle(), SIGTERM);  // no-op if it already returned
  stopper.join();
  return clean ? kExitOk : kExitSoftware;
}

int run_users(const std::string& action, const WebOptions& options) {
  const auto config = read_web_config(options.config);
  if (!config) return kExitConfig;
  const web::AccountFile accounts(web::accounts_path(config->quarantine, config->web));
  try {
    if (action == "list") {
      for (const auto& account : accounts.list())
        std::cout << account.name << " " << web::to_string(account.role) << "\n";
      return kExitOk;
    }
    if (action == "remove") {
      accounts.remove(options.name);
      return kExitOk;
    }
    const auto role = web::parse_role(options.role);
    if (!role) {
      std::cerr << "aupctl users: --role is officer or auditor\n";
      return kExitUsage;
    }
    const auto password = read_password();
    if (!password) return kExitUsage;
    if (action == "add") {
      accounts.add(options.name, *role, *password);
    } else {
      accounts.set_password(options.name, *password);
    }
    return kExitOk;
  } catch (const web::AccountError& error) {
    std::cerr << "aupctl users " << action << ": " << error.what() << "\n";
    return kExitFailed;
  }
}

}  // namespace aup::cli
