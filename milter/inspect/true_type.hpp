// The true type of content, from its bytes (libmagic), whatever its name or declared type says.
#pragma once

#include <string>
#include <string_view>

namespace aup::inspect {

// libmagic's MIME type ("application/x-dosexec"); "application/octet-stream" when unknown.
// Thread-safe: each call borrows a loaded libmagic handle from a pool.
std::string true_type_of(std::string_view bytes) noexcept;

}  // namespace aup::inspect
