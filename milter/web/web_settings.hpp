// The compliance officers' web pages (`aupctl serve`): the "web" section.
#pragma once

#include <string>
#include <vector>

#include "engine/diagnostics.hpp"
#include "engine/settings.hpp"
#include "quarantine/quarantine_settings.hpp"

namespace aup {

struct WebSettings {
  std::string listen = "127.0.0.1:8026";  // HOST:PORT; loopback unless a proxy is in front
  std::string accounts;  // JSON file of built-in accounts; "" for web-accounts.json beside
                         // the quarantine's index
  // Single sign-on behind a reverse proxy: the header naming the signed-in user ("" off), and
  // the role of users without a built-in account of that name (with one, its role). Only safe
  // when nothing but the proxy can reach `listen`.
  std::string trusted_user_header;
  std::string trusted_user_role = "auditor";
  // Numeric addresses of the reverse proxies: only their requests may carry the user header,
  // and their X-Forwarded-For names the client for sign-in throttling. None by default: every
  // peer is then the client itself, whatever headers it sends.
  std::vector<std::string> trusted_proxies;
  std::vector<std::string> four_eyes_clauses;  // releasing these needs two different officers
  unsigned session_minutes = 480;
  bool secure_cookies = false;  // behind TLS: cookies only over HTTPS
};

WebSettings read_web_settings(const SourceFile& config, DiagnosticSink& sink);

// What the pages run on: the engine's settings (header prefix, organisation), the
// quarantine's section and their own.
struct WebConfig {
  Settings settings;
  QuarantineSettings quarantine;
  WebSettings web;
};

}  // namespace aup
