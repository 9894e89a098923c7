// libmilter callbacks. Per-message state is reset at MAIL FROM, end of message and abort;
// xxfi_close may come without xxfi_connect, so a missing session is always handled.
#include "daemon/milter_callbacks.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <syslog.h>

#include <chrono>
#include <cstring>

#include "daemon/connection_limit.hpp"
#include "daemon/decision_log.hpp"
#include "daemon/log_line.hpp"
#include "daemon/verdict_actions.hpp"
#include "engine/addresses.hpp"
#include "engine/direction.hpp"
#include "engine/evaluate.hpp"
#include "engine/size_limit.hpp"
#include "scan/clamd_scanner.hpp"

namespace aup::daemon {
namespace {

// Set once before smfi_main, read-only afterwards.
ConfigHolder* g_configs = nullptr;
QuarantineService* g_quarantines = nullptr;
std::optional<std::string> g_clamd_override;
inspect::Executor* g_engine_workers = nullptr;
const inspect::TypeDetector* g_types = nullptr;

Session* session_of(SMFICTX* ctx) {
  return static_cast<Session*>(smfi_getpriv(ctx));
}

// The configured fail action, from a callback that cannot do better (tempfail by default;
// quarantine is only possible at end of message, so it also tempfails here).
sfsistat fail(SMFICTX* ctx, std::string_view why) noexcept {
  // The queue id when there is one, so that the line can be found from the MTA's log.
  const Session* session = session_of(ctx);
  const std::string queue_id = session != nullptr ? session->current.queue_id : "";
  LogLine(LOG_ERR, "internal error").add("queue_id", queue_id).add("internal_error", why).send();
  const auto config = g_configs != nullptr ? g_configs->current() : nullptr;
  if (config && config->policy->settings.on_internal_error == Action::accept) return SMFIS_ACCEPT;
  return refuse(ctx, kTempfailCode, kTempfailXcode,
                "Temporary failure checking the message; please try again");
}

template <typename Body>
sfsistat guarded(SMFICTX* ctx, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& error) {
    return fail(ctx, error.what());
  } catch (...) {
    return fail(ctx, "unknown exception");
  }
}

// A step of a message in progress: there must be a session and a MAIL FROM before it.
template <typename Body>
sfsistat in_message(SMFICTX* ctx, std::string_view step, Body&& body) noexcept {
  return guarded(ctx, [&] {
    Session* session = session_of(ctx);
    if (session == nullptr || !session->current.config) {
      return fail(ctx, fmt::format("{} without MAIL FROM", step));
    }
    return body(*session);
  });
}

std::optional<std::string> address_text(const sockaddr* address) {
  if (address == nullptr) return std::nullopt;
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    if (inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text) != nullptr) return text;
  } else if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    if (inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text) != nullptr) return text;
  }
  return std::nullopt;
}

std::optional<std::string> macro(SMFICTX* ctx, const char* name) {
  const char* value = smfi_getsymval(ctx, const_cast<char*>(name));
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

// Collecting stopped at the size limit; the engine gives the verdict, as `aupctl check` does,
// and it is logged like any other decision.
sfsistat too_big(SMFICTX* ctx, const MessageState& state) {
  const Verdict verdict = size_verdict(state.policy(), state.message);
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - state.started);
  log_decision({state.queue_id, state.message.envelope, verdict, elapsed},
               state.config->daemon.audit_file);
  if (verdict.action == Action::accept) return SMFIS_ACCEPT;  // inbound: untouched
  if (!verdict.reply) return fail(ctx, "size verdict without a reply");
  return refuse(ctx, verdict.reply->code, verdict.reply->xcode, verdict.reply->text);
}

// Inbound mail is decided at MAIL FROM, before any recipient: the line has recipients=0.
void log_inbound(const MessageState& state) {
  Verdict verdict;
  verdict.direction = Direction::inbound;
  verdict.action = Action::accept;
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - state.started);
  log_decision({state.queue_id, state.message.envelope, verdict, elapsed},
               state.config->daemon.audit_file);
}

// Notes an incoming field named with our prefix, to be removed before ours are added: its
// 1-based index among fields of its name, counted in a map (a scan of the fields seen so far
// made 50,000 of them take 36 s). Past the header field limit the message is uninspectable
// anyway (the engine holds it); the daemon stops noting, and cannot strip them any more.
void note_own_header(MessageState& state, const std::string& field) {
  if (state.own_header_occurrences.size() >= state.policy().settings.mime.max_header_fields) {
    state.own_headers_untracked = true;
    return;
  }
  const int index = ++state.own_header_counts[to_lower_ascii(field)];
  state.own_header_occurrences.emplace_back(field, index);
}

// Appends to the reconstructed message; false once it is over the size limit.
bool append(MessageState& state, std::string_view bytes) {
  if (state.message.raw.size() + bytes.size() >
      state.policy().settings.size_limit.max_message_bytes) {
    return false;
  }
  state.message.raw.append(bytes);
  return true;
}

// A header field as it was written: folded lines arrive joined by a bare LF.
std::string header_line(const std::string& name, std::string_view value, bool leading_space) {
  std::string line = name + (leading_space ? ":" : ": ");
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r')) line.push_back('\r');
    line.push_back(value[i]);
  }
  return line + "\r\n";
}

constexpr unsigned long kActions = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY | SMFIF_QUARANTINE;

// Ask only for what is used: the header actions and quarantine; no HELO, DATA or unknown
// commands. The flags set here replace the registered ones, so all of them are listed.
// Header values with their leading space (SMFIP_HDR_LEADSPC) let the quarantine keep the
// message exactly as received.
sfsistat on_negotiate(SMFICTX* ctx, unsigned long offered_actions, unsigned long offered_steps,
                      unsigned long, unsigned long, unsigned long* actions, unsigned long* steps,
                      unsigned long* reserved2, unsigned long* reserved3) {
  return guarded(ctx, [&] {
    if ((offered_actions & kActions) != kActions) {
      LogLine(LOG_WARNING, "MTA lacks actions: tagging, footers or quarantine may fail")
          .add("offered_actions", fmt::format("{:#x}", offered_actions))
          .send();
    }
    *actions = offered_actions & kActions;
    *steps = offered_steps & (SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_HDR_LEADSPC);
    *reserved2 = 0;
    *reserved3 = 0;
    delete session_of(ctx);
    smfi_setpriv(ctx, nullptr);  // fail() reads it if what follows throws
    auto session = std::make_unique<Session>();
    session->header_leading_space = (*steps & SMFIP_HDR_LEADSPC) != 0;
    session->can_replace_body = (*actions & SMFIF_CHGBODY) != 0;
    smfi_setpriv(ctx, session.release());
    return SMFIS_CONTINUE;
  });
}

// A connection beyond daemon.max_connections: a tempfail answer while descriptors remain, not a
// session left waiting. No smfi_setreply: libmilter does not allow it at connect.
sfsistat refuse_connection() {
  const uint64_t refused = connection_slots().refused();
  if (refused % 100 == 1) {  // the first of a burst, then every 100th
    LogLine(LOG_WARNING, "connection refused (tempfail):")
        .add("open", connection_slots().open())
        .add("refused_so_far", static_cast<unsigned long long>(refused))
        .send();
  }
  return SMFIS_TEMPFAIL;
}

sfsistat on_connect(SMFICTX* ctx, char* hostname, _SOCK_ADDR* hostaddr) {
  return guarded(ctx, [&] {
    if (!connection_slots().take(ctx, g_configs->current()->daemon.max_connections)) {
      return refuse_connection();
    }
    Session* negotiated = session_of(ctx);
    auto session = std::make_unique<Session>();
    session->header_leading_space = negotiated != nullptr && negotiated->header_leading_space;
    session->can_replace_body = negotiated == nullptr || negotiated->can_replace_body;
    delete negotiated;
    session->client_ip = address_text(hostaddr);
    session->client_name = hostname != nullptr ? hostname : "";
    session->daemon_name = macro(ctx, "{daemon_name}");
    smfi_setpriv(ctx, session.release());
    return SMFIS_CONTINUE;
  });
}

sfsistat on_envfrom(SMFICTX* ctx, char** argv) {
  return guarded(ctx, [&] {
    Session* session = session_of(ctx);
    if (session == nullptr) return fail(ctx, "MAIL FROM without a connection");
    session->reset_message();
    MessageState& state = session->current;
    state.config = g_configs->current();
    state.header_leading_space = session->header_leading_space;
    state.can_replace_body = session->can_replace_body;
    Envelope& envelope = state.message.envelope;
    envelope.sender = bare_address(argv != nullptr && argv[0] != nullptr ? argv[0] : "");
    envelope.auth_user = macro(ctx, "{auth_authen}");
    envelope.client_ip = session->client_ip;
    envelope.daemon_name = session->daemon_name;
    state.queue_id = macro(ctx, "i").value_or("");
    EffectiveEnvelope known{*envelope.sender,   {}, envelope.auth_user,
                            envelope.client_ip, {}, envelope.daemon_name == "ORIGINATING"};
    // Inbound mail passes untouched: stop collecting as early as the protocol allows. It is
    // still logged and counted, or a milter on the wrong service would look like a quiet day.
    if (!is_originating(known, state.policy().settings)) {
      log_inbound(state);
      return SMFIS_ACCEPT;
    }
    return SMFIS_CONTINUE;
  });
}

sfsistat on_envrcpt(SMFICTX* ctx, char** argv) {
  return in_message(ctx, "RCPT TO", [&](Session& session) {
    if (argv != nullptr && argv[0] != nullptr) {
      session.current.message.envelope.recipients.push_back(bare_address(argv[0]));
    }
    return SMFIS_CONTINUE;
  });
}

sfsistat on_header(SMFICTX* ctx, char* name, char* value) {
  return in_message(ctx, "header", [&](Session& session) {
    MessageState& state = session.current;
    const std::string field(name != nullptr ? name : "");
    const std::string& prefix = state.policy().settings.header_prefix;
    if (to_lower_ascii(field).starts_with(to_lower_ascii(prefix))) note_own_header(state, field);
    if (!append(state,
                header_line(field, value != nullptr ? value : "", state.header_leading_space))) {
      return too_big(ctx, state);
    }
    return SMFIS_CONTINUE;
  });
}

sfsistat on_eoh(SMFICTX* ctx) {
  return in_message(ctx, "end of headers", [&](Session& session) {
    if (!append(session.current, "\r\n")) return too_big(ctx, session.current);
    return SMFIS_CONTINUE;
  });
}

sfsistat on_body(SMFICTX* ctx, unsigned char* chunk, size_t length) {
  return in_message(ctx, "body", [&](Session& session) {
    const std::string_view bytes(reinterpret_cast<const char*>(chunk),
                                 chunk != nullptr ? length : 0);
    if (!append(session.current, bytes)) return too_big(ctx, session.current);
    return SMFIS_CONTINUE;
  });
}

sfsistat on_eom(SMFICTX* ctx) {
  return in_message(ctx, "end of message", [&](Session& session) {
    MessageState& state = session.current;
    if (state.queue_id.empty()) state.queue_id = macro(ctx, "i").value_or("");
    state.message.envelope.time = std::chrono::system_clock::now();
    const auto scanner = scan::scanner_for(state.config->clamd, g_clamd_override);
    const Verdict verdict =
        evaluate(state.policy(), state.message, {scanner.get(), *g_engine_workers, *g_types});
    std::string quarantine_id;
    const sfsistat result = apply_verdict(ctx, verdict, state, *g_quarantines, quarantine_id);
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - state.started);
    log_decision({state.queue_id, state.message.envelope, verdict, elapsed, quarantine_id},
                 state.config->daemon.audit_file);
    session.reset_message();
    return result;
  });
}

sfsistat on_abort(SMFICTX* ctx) {
  return guarded(ctx, [&] {
    if (Session* session = session_of(ctx)) session->reset_message();
    return SMFIS_CONTINUE;
  });
}

sfsistat on_close(SMFICTX* ctx) {
  return guarded(ctx, [&] {
    connection_slots().release(ctx);
    delete session_of(ctx);
    smfi_setpriv(ctx, nullptr);
    return SMFIS_CONTINUE;
  });
}

}  // namespace

void use_configuration(ConfigHolder& configs, QuarantineService& quarantines,
                       std::optional<std::string> clamd_override, inspect::Executor& engine_workers,
                       const inspect::TypeDetector& types) {
  g_configs = &configs;
  g_quarantines = &quarantines;
  g_clamd_override = std::move(clamd_override);
  g_engine_workers = &engine_workers;
  g_types = &types;
}

smfiDesc filter_description() {
  smfiDesc description{};
  description.xxfi_name = const_cast<char*>("aup-milter");
  description.xxfi_version = SMFI_VERSION;
  description.xxfi_flags = kActions;
  description.xxfi_connect = on_connect;
  description.xxfi_envfrom = on_envfrom;
  description.xxfi_envrcpt = on_envrcpt;
  description.xxfi_header = on_header;
  description.xxfi_eoh = on_eoh;
  description.xxfi_body = on_body;
  description.xxfi_eom = on_eom;
  description.xxfi_abort = on_abort;
  description.xxfi_close = on_close;
  description.xxfi_negotiate = on_negotiate;
  return description;
}

}  // namespace aup::daemon
