// The true type of content, from its bytes (libmagic), whatever its name or declared type says.
#pragma once

#include <string>
#include <string_view>

namespace aup::inspect {

// libmagic's MIME type ("application/x-dosexec"); "application/octet-stream" when unknown.
// Thread-safe: each call borrows a loaded libmagic handle from a pool.
std::string true_type_of(std::string_view bytes) noexcept;

// Only the binary formats (executables, archives, documents...): libmagic's text tests, which
// read the whole buffer through hundreds of regular expressions, are skipped. For message text,
// where only a program posing as text matters: ten times faster on ordinary prose.
// "application/octet-stream" when no binary format is recognised.
std::string binary_type_of(std::string_view bytes) noexcept;

}  // namespace aup::inspect
