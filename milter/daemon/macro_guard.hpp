// The check that keeps a malformed macro list away from libmilter (issue 19, item 5).
//
// libmilter stores each SMFIC_MACRO packet as a NULL-terminated argv of its NUL-terminated
// strings (engine.c, dec_argv), and smfi_getsymval walks that argv two entries at a time,
// name then value. With an odd number of strings the step over the last "value" jumps past the
// NULL terminator and reads whatever follows on the heap: a SIGSEGV that one packet from any
// client of the milter socket could cause. SMFICTX is opaque and Debian's libmilter cannot be
// patched, so the daemon checks each macro packet before libmilter's engine sees it
// (libmilter_read_guard.cpp) and drops the connection that sent a malformed one.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace aup::daemon {

// A macro packet's data (after SMFIC_MACRO): the command it is for, then name/value pairs, each
// string NUL-terminated, nothing after the last NUL. An empty list (the command alone) is
// well formed: libmilter ignores it.
bool well_formed_macro_packet(const char* data, size_t length) noexcept;

// Connections dropped for a malformed macro packet since the daemon started.
std::atomic<uint64_t>& malformed_macro_drops() noexcept;

}  // namespace aup::daemon
