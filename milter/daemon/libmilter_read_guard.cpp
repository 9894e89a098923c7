// Every command libmilter's engine reads passes through here first (issue 19, item 5).
//
// Why this way: the crash is in libmilter (smfi_getsymval walking an odd macro list, see
// macro_guard.hpp), the context is opaque, and the packaged library cannot be patched. A relay
// in front of libmilter would check the same bytes at the cost of two more descriptors and a
// thread per connection plus a copy of every packet. Instead aup-milter links Debian's static
// libmilter.a with `-Wl,--wrap=mi_rd_cmd`: the engine's one call to read a command
// (engine.c, mi_engine) comes here, and we call the real reader. The binding is made by the
// linker, so it cannot silently not happen; milter_protocol_test.py crashes the daemon if it
// ever stopped working. mi_rd_cmd's signature has been the same since libmilter 8.12 (1999).
#include <fmt/format.h>
#include <sys/time.h>
#include <syslog.h>

#include <cstddef>
#include <cstdlib>

#include "daemon/log_line.hpp"
#include "daemon/macro_guard.hpp"

namespace {

constexpr char kMacroCommand = 'D';  // SMFIC_MACRO
// libmilter's private "recv() error" pseudo-command (SMFIC_RECVERR): any value below ' '
// makes mi_engine end the session (abort and close callbacks); the MTA then applies its
// milter_default_action, tempfail by default in Postfix.
constexpr char kReadError = 4;

}  // namespace

extern "C" {

char* __real_mi_rd_cmd(int sd, struct timeval* timeout, char* cmd, size_t* length, char* name);

char* __wrap_mi_rd_cmd(int sd, struct timeval* timeout, char* cmd, size_t* length, char* name) {
  char* buffer = __real_mi_rd_cmd(sd, timeout, cmd, length, name);
  if (buffer == nullptr || *cmd != kMacroCommand ||
      aup::daemon::well_formed_macro_packet(buffer, *length)) {
    return buffer;
  }
  const auto drops = ++aup::daemon::malformed_macro_drops();
  aup::daemon::LogLine(LOG_WARNING, "malformed macro packet: connection dropped")
      .add("bytes", *length)
      .add("command", fmt::format("{:#x}", static_cast<unsigned char>(buffer[0])))
      .add("dropped_so_far", static_cast<unsigned long long>(drops))
      .send();
  std::free(buffer);  // malloc()ed by mi_rd_cmd; the engine frees only what it is given
  *cmd = kReadError;
  *length = 0;
  return nullptr;
}

}  // extern "C"
