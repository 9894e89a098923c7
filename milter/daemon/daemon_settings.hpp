// The milter daemon's own section of the configuration file ("daemon").
#pragma once

#include <string>

#include "engine/diagnostics.hpp"

namespace aup {

struct DaemonSettings {
  std::string audit_file;  // JSON lines, one per message; "" for none
  // Milter connections open at once; one more is answered tempfail at connect (issue 19, 7).
  unsigned max_connections = 1000;
  // libmilter's wait for the MTA's next command (smfi_settimeout): an idle or half-open
  // connection is closed after it. Postfix stays silent on a session's milter connection while
  // the client sends DATA (the content follows at end of message), so this must be longer than
  // the slowest message transfer, not just milter_content_timeout (300 s). Read at start.
  // Debian's libmilter (worker pool) sweeps idle sessions every 600 s: closed within that.
  unsigned idle_timeout_seconds = 1800;
};

// Reads "daemon", reporting every problem; max_message_bytes and over_limit there are the
// engine's (Settings::size_limit) and only checked for being known keys here.
DaemonSettings read_daemon_settings(const SourceFile& config, DiagnosticSink& sink);

}  // namespace aup
