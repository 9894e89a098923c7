// The routes of `aupctl serve`: who may see and do what, and the safety headers on everything.
// Pages are rendered by pages.cpp; decisions go through quarantine/review.hpp.
#include "web/server.hpp"

#include <fmt/format.h>
#include <httplib.h>
#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "quarantine/quarantine.hpp"
#include "quarantine/review.hpp"
#include "review/quarantine_view.hpp"
#include "web/accounts.hpp"
#include "web/decisions.hpp"
#include "web/html.hpp"
#include "web/http_helpers.hpp"
#include "web/limits.hpp"
#include "web/pages.hpp"
#include "web/proxies.hpp"
#include "web/queries.hpp"
#include "web/sessions.hpp"
#include "web/style.hpp"

namespace aup::web {

using httplib::Request;
using httplib::Response;

namespace {

constexpr const char* kSessionCookie = "aup_session";
constexpr const char* kLoginCookie = "aup_login";
constexpr const char* kItemPath = R"(/item/([0-9a-z-]{1,64}))";

constexpr const char* kBadPage =
    "Page \"{}\" is not a page number: pages are numbered from 1 (see the links under the list).";

}  // namespace

// A signed-in visitor: a built-in account with a session, or a user named by the trusted
// proxy header.
struct Visitor {
  Account account;
  std::string csrf;
  std::string session;  // "" for single sign-on
};

class WebApp {
 public:
  explicit WebApp(const WebConfig& config)
      : config_(config),
        quarantine_(config.quarantine, quarantine::Quarantine::Create::no),
        accounts_(accounts_path(config.quarantine, config.web)),
        sessions_(std::chrono::minutes(config.web.session_minutes)),
        verifications_(kConcurrentVerifications, kWaitingVerifications, kVerificationPatience),
        sso_key_(random_token()) {
    quarantine_.reconcile();
  }

  void install(httplib::Server& server) {
    server.set_post_routing_handler(
        [](const Request& request, Response& response) { security_headers(request, response); });
    server.Get("/static/style.css", [](const Request&, Response& response) {
      response.set_content(kStyleSheet, "text/css; charset=utf-8");
    });
    server.Get("/login", [this](const Request& q, Response& r) { login_page(q, r, "", 200); });
    server.Post("/login", [this](const Request& q, Response& r) { sign_in(q, r); });
    server.Post("/logout", [this](const Request& q, Response& r) { sign_out(q, r); });
    server.Get("/",
               reader([this](const Request& q, Response& r, const Visitor& v) { queue(q, r, v); }));
    server.Get("/audit",
               reader([this](const Request& q, Response& r, const Visitor& v) { audit(q, r, v); }));
    server.Get("/summary",
               reader([this](const Request&, Response& r, const Visitor& v) { summary(r, v); }));
    server.Get(kItemPath, reader([this](const Request& q, Response& r, const Visitor& v) {
                 item_page(r, v, q.matches[1], "", 200, true);
               }));
    server.Get(std::string(kItemPath) + "/raw",
               reader([this](const Request& q, Response& r, const Visitor& v) { raw(q, r, v); }));
    server.Get(
        std::string(kItemPath) + "/(release|delete|keep)",
        officer([this](const Request& q, Response& r, const Visitor& v) { confirm(q, r, v); }));
    server.Post(
        std::string(kItemPath) + "/(release|delete|keep)",
        officer([this](const Request& q, Response& r, const Visitor& v) { decide(q, r, v); }));
    server.set_error_handler([this](const Request& request, Response& response) {
      if (response.body.empty()) {
        error_page(request, response, response.status,
                   response.status == 404 ? "Not found." : "The request was refused.");
      }
    });
    server.set_exception_handler(
        [this](const Request& request, Response& response, std::exception_ptr error) {
          std::string what = "unknown error";
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          std::cerr << "aupctl serve: " << request.method << " " << request.path << ": " << what
                    << "\n";
          error_page(request, response, 500,
                     "Something went wrong. An action you took may or may not have happened: "
                     "see the message's audit trail. The server's log says what went wrong.");
        });
  }

 private:
  using Handler = std::function<void(const Request&, Response&, const Visitor&)>;

  // Any signed-in visitor; GETs only.
  httplib::Server::Handler reader(Handler handler) {
    return [this, handler](const Request& request, Response& response) {
      const auto visitor = signed_in(request);
      if (!visitor) return redirect(response, "/login");
      handler(request, response, *visitor);
    };
  }

  // Officers only; POSTs must carry the session's CSRF token.
  httplib::Server::Handler officer(Handler handler) {
    return [this, handler](const Request& request, Response& response) {
      const auto visitor = signed_in(request);
      if (!visitor) {
        if (request.method == "GET") return redirect(response, "/login");
        return error_page(request, response, 403, "Sign in first.");
      }
      if (visitor->account.role != Role::officer) {
        return error_page(request, response, 403,
                          "Your account may read the quarantine but not decide (auditor).");
      }
      if (request.method == "POST" && !same_token(param(request, "csrf"), visitor->csrf)) {
        return error_page(request, response, 403, kStaleForm);
      }
      handler(request, response, *visitor);
    };
  }

  static constexpr const char* kStaleForm =
      "This form has expired or did not come from this site. Reload the page and try again.";

  std::optional<Visitor> signed_in(const Request& request) {
    const std::string& header = config_.web.trusted_user_header;
    if (!header.empty() && from_trusted_proxy(request) && request.has_header(header)) {
      return single_sign_on(lowered(request.get_header_value(header)));
    }
    const std::string token = cookie(request, kSessionCookie);
    if (token.empty()) return std::nullopt;
    const auto session = sessions_.find(token);
    if (!session) return std::nullopt;
    // The account as it is now: removed, or given a new password, ends the session; a new
    // role applies at once.
    const auto record = accounts_.find(session->account.name);
    if (!record || record->hash != session->credential) {
      sessions_.close(token);
      return std::nullopt;
    }
    return Visitor{record->account, session->csrf, token};
  }

  std::optional<Visitor> single_sign_on(const std::string& name) const {
    if (!valid_account_name(name)) return std::nullopt;
    const auto record = accounts_.find(name);
    const Role role = record ? record->account.role
                             : parse_role(config_.web.trusted_user_role).value_or(Role::auditor);
    return Visitor{{name, role}, sso_csrf(name), ""};
  }

  bool from_trusted_proxy(const Request& request) const {
    return is_trusted_proxy(request.remote_addr, config_.web.trusted_proxies);
  }

  // The client for sign-in throttling: behind trusted proxies, the address they vouch for.
  std::string client_address(const Request& request) const {
    return forwarded_client(request.remote_addr, forwarded_for(request),
                            config_.web.trusted_proxies);
  }

  static std::string lowered(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
  }

  // A single-sign-on user has no session: the form token is a keyed hash of the name.
  std::string sso_csrf(const std::string& name) const {
    unsigned char hash[32];
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(name.data()),
                       name.size(), reinterpret_cast<const unsigned char*>(sso_key_.data()),
                       crypto_generichash_KEYBYTES);
    char hex[sizeof hash * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    return hex;
  }

  std::string cookie_attributes(const char* path) const {
    return fmt::format("; Path={}; HttpOnly; SameSite=Strict{}", path,
                       config_.web.secure_cookies ? "; Secure" : "");
  }

  // --- signing in and out ---------------------------------------------------------------------

  void login_page(const Request& request, Response& response, const std::string& error,
                  int status) {
    if (error.empty() && signed_in(request)) return redirect(response, "/");
    const std::string token = random_token();
    response.set_header("Set-Cookie",
                        std::string(kLoginCookie) + "=" + token + cookie_attributes("/login"));
    send(response, status, {"Sign in", "", "", "", ""}, login_body(error, token));
  }

  void sign_in(const Request& request, Response& response) {
    if (!same_token(param(request, "csrf"), cookie(request, kLoginCookie))) {
      return login_page(request, response, kStaleForm, 403);
    }
    const std::string typed = param(request, "name");
    // Throttled under its own name only when it could be an account: no unbounded keys.
    const std::string name = valid_account_name(typed) ? typed : "(not an account name)";
    const std::string address = client_address(request);
    const auto wait = throttle_.wait(name, address);
    if (wait.count() > 0) {
      return login_page(request, response,
                        fmt::format("Too many failed sign-ins. Try again in {} minute(s).",
                                    (wait.count() + 59) / 60),
                        429);
    }
    // Each check takes 64 MiB for a moment: only a few at once (unknown names included, so
    // that they keep the decoy's timing).
    const VerifyGate::Turn turn(verifications_);
    if (!turn) {
      return login_page(request, response,
                        "The server is busy checking other sign-ins. Try again in a moment.", 503);
    }
    const auto record = valid_account_name(typed)
                            ? accounts_.verify(typed, param(request, "password"))
                            : accounts_.verify("", param(request, "password"));
    if (!record) {
      throttle_.failed(name, address);
      return login_page(request, response, "Wrong account name or password.", 401);
    }
    throttle_.succeeded(name, address);
    response.set_header("Set-Cookie", std::string(kSessionCookie) + "=" +
                                          sessions_.open(record->account, record->hash) +
                                          cookie_attributes("/"));
    redirect(response, "/");
  }

  void sign_out(const Request& request, Response& response) {
    const auto visitor = signed_in(request);
    if (visitor && !same_token(param(request, "csrf"), visitor->csrf)) {
      return error_page(request, response, 403, kStaleForm);
    }
    if (visitor && !visitor->session.empty()) sessions_.close(visitor->session);
    response.set_header("Set-Cookie",
                        std::string(kSessionCookie) + "=; Max-Age=0" + cookie_attributes("/"));
    redirect(response, "/login");
  }

  // --- pages ----------------------------------------------------------------------------------

  void queue(const Request& request, Response& response, const Visitor& visitor) {
    const auto page = parse_page(param(request, "page"));
    QueueQuery query{param(request, "status").empty() ? "held" : param(request, "status"),
                     param(request, "clause"),
                     param(request, "rule"),
                     param(request, "sender"),
                     param(request, "from"),
                     param(request, "to"),
                     param(request, "q"),
                     page.value_or(1),
                     ""};
    const auto error = page ? filter_error(query) : fmt::format(kBadPage, param(request, "page"));
    if (error) return error_page(request, response, 400, *error);
    const auto matching = find_items(quarantine_.index(), query);
    if (query.page > last_page(matching.size())) {
      query.notice = past_the_end_notice(query.page, last_page(matching.size()));
      query.page = last_page(matching.size());
    }
    const size_t first = std::min(matching.size(), (query.page - 1) * kPageSize);
    const std::vector<quarantine::Item> shown(
        matching.begin() + static_cast<long>(first),
        matching.begin() + static_cast<long>(std::min(matching.size(), first + kPageSize)));
    send(response, 200, context("Held messages", visitor, "queue"),
         queue_body(query, shown, matching.size()));
  }

  void item_page(Response& response, const Visitor& visitor, const std::string& id,
                 const std::string& notice, int status, bool record_viewing) {
    const auto item = quarantine_.index().find(id);
    if (!item)
      return send(response, 404, context("Not found", visitor, ""), "<p>No such message.</p>");
    if (record_viewing) {
      quarantine_.index().append_audit(
          {quarantine::now_rfc3339(), id, visitor.account.name, "viewed", "web"});
    }
    ItemPageData data;
    data.view = review::review_view(*item, quarantine_.store().read_record(id),
                                    quarantine_.store().read_message(id), config_.settings);
    data.audit = quarantine_.index().audit(id);
    data.may_decide =
        visitor.account.role == Role::officer && (item->status == quarantine::Status::held);
    data.notice = notice;
    send(response, status, context("Message " + id, visitor, "queue"), item_body(data));
  }

  void raw(const Request& request, Response& response, const Visitor& visitor) {
    const std::string id = request.matches[1];
    const auto message = quarantine_.store().read_message(id);
    if (!message) return send(response, 404, context("Not found", visitor, ""), "<p>Not kept.</p>");
    quarantine_.index().append_audit(
        {quarantine::now_rfc3339(), id, visitor.account.name, "viewed-raw", "web"});
    response.set_header("Content-Security-Policy", "sandbox; default-src 'none'");
    response.set_content(*message, "text/plain; charset=utf-8");
  }

  void confirm(const Request& request, Response& response, const Visitor& visitor) {
    const auto item = quarantine_.index().find(request.matches[1]);
    if (!item)
      return send(response, 404, context("Not found", visitor, ""), "<p>No such message.</p>");
    if (item->status != quarantine::Status::held) {
      return item_page(response, visitor, item->id, "This message is no longer held.", 409, false);
    }
    const std::string action = request.matches[2];
    send(response, 200, context("Confirm: " + action, visitor, "queue"),
         confirm_body(*item, action, visitor.csrf));
  }

  void decide(const Request& request, Response& response, const Visitor& visitor) {
    const std::string id = request.matches[1];
    const std::string action = request.matches[2];
    const DecisionResult result = take_decision(quarantine_, config_, action,
                                                {id, visitor.account.name, param(request, "note")});
    item_page(response, visitor, id, result.message, result.http_status, false);
  }

  void audit(const Request& request, Response& response, const Visitor& visitor) {
    auto entries = quarantine_.index().audit(std::nullopt);
    std::reverse(entries.begin(), entries.end());
    const auto asked = parse_page(param(request, "page"));
    if (!asked)
      return error_page(request, response, 400, fmt::format(kBadPage, param(request, "page")));
    const size_t page = std::min(*asked, last_page(entries.size()));
    const std::string notice = page < *asked ? past_the_end_notice(*asked, page) : std::string();
    const size_t first = std::min(entries.size(), (page - 1) * kPageSize);
    const std::vector<quarantine::AuditEntry> shown(
        entries.begin() + static_cast<long>(first),
        entries.begin() + static_cast<long>(std::min(entries.size(), first + kPageSize)));
    send(response, 200, context("Audit trail", visitor, "audit"),
         audit_body(shown, page, entries.size(), notice));
  }

  void summary(Response& response, const Visitor& visitor) {
    send(response, 200, context("Summary", visitor, "summary"),
         summary_body(summarise(quarantine_.index().list({}))));
  }

  // --- plumbing ---------------------------------------------------------------------------------

  PageContext context(const std::string& title, const Visitor& visitor, const char* active) const {
    return {title, visitor.account.name, std::string(to_string(visitor.account.role)), visitor.csrf,
            active};
  }

  void send(Response& response, int status, const PageContext& context, const std::string& body) {
    response.status = status;
    response.set_content(page(context, body), "text/html; charset=utf-8");
  }

  void error_page(const Request& request, Response& response, int status, const std::string& text) {
    const auto visitor = signed_in(request);
    const PageContext page_context =
        visitor ? context("Refused", *visitor, "") : PageContext{"Refused", "", "", "", ""};
    send(response, status, page_context, "<p>" + escape(text) + "</p>");
  }

  WebConfig config_;
  quarantine::Quarantine quarantine_;
  AccountFile accounts_;
  SessionTable sessions_;
  LoginThrottle throttle_;
  VerifyGate verifications_;
  std::string sso_key_;  // crypto_generichash_KEYBYTES of it are used
};

std::string accounts_path(const QuarantineSettings& quarantine, const WebSettings& web) {
  if (!web.accounts.empty()) return web.accounts;
  return (std::filesystem::path(quarantine::index_path(quarantine)).parent_path() /
          "web-accounts.json")
      .string();
}

std::shared_ptr<WebApp> install_routes(httplib::Server& server, const WebConfig& config) {
  auto app = std::make_shared<WebApp>(config);
  app->install(server);
  return app;
}

}  // namespace aup::web
