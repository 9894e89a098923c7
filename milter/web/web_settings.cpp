// The web section, validated key by key.
#include "web/web_settings.hpp"

#include <fmt/format.h>

#include "engine/config_reader.hpp"

namespace aup {
namespace {

void read_single_sign_on(ConfigReader& in, WebSettings& web) {
  web.trusted_user_header = in.text("/web/trusted_user_header", web.trusted_user_header);
  web.trusted_user_role = in.text("/web/trusted_user_role", web.trusted_user_role);
  if (web.trusted_user_role != "officer" && web.trusted_user_role != "auditor") {
    in.error("/web/trusted_user_role",
             fmt::format("\"{}\" is not \"officer\" or \"auditor\"", web.trusted_user_role));
  }
  if (in.at("/web/trusted_proxies") != nullptr)
    web.trusted_proxies = in.strings("/web/trusted_proxies");
  if (!web.trusted_user_header.empty() && web.trusted_proxies.empty()) {
    in.error("/web/trusted_user_header",
             "single sign-on needs web.trusted_proxies: the proxy's address, from which alone "
             "the header is believed");
  }
}

}  // namespace

WebSettings read_web_settings(const SourceFile& config, DiagnosticSink& sink) {
  WebSettings web;
  ConfigReader in(config, sink);
  if (!in.object_at(
          "/web", {"listen", "accounts", "trusted_user_header", "trusted_user_role",
                   "trusted_proxies", "four_eyes_clauses", "session_minutes", "secure_cookies"})) {
    return web;
  }
  web.listen = in.text("/web/listen", web.listen);
  in.check_host_port("/web/listen", web.listen, "127.0.0.1:8026");
  web.accounts = in.beside_config(in.text("/web/accounts", web.accounts));
  read_single_sign_on(in, web);
  web.four_eyes_clauses = in.strings("/web/four_eyes_clauses");
  in.number<unsigned>("/web/session_minutes", web.session_minutes, 5);
  in.boolean("/web/secure_cookies", web.secure_cookies);
  return web;
}

}  // namespace aup
