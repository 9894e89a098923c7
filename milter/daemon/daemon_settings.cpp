// The daemon's section, validated key by key.
#include "daemon/daemon_settings.hpp"

#include "engine/config_reader.hpp"

namespace aup {

DaemonSettings read_daemon_settings(const SourceFile& config, DiagnosticSink& sink) {
  DaemonSettings daemon;
  ConfigReader in(config, sink);
  if (!in.object_at("/daemon", {"max_message_bytes", "over_limit", "audit_file", "max_connections",
                                "idle_timeout_seconds"})) {
    return daemon;
  }
  in.number<unsigned>("/daemon/max_connections", daemon.max_connections, 1);
  in.number<unsigned>("/daemon/idle_timeout_seconds", daemon.idle_timeout_seconds, 1);
  daemon.audit_file = in.text("/daemon/audit_file", daemon.audit_file);
  return daemon;
}

}  // namespace aup
