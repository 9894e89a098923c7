// The file names a MIME part goes by: every reader's choice, not just GMime's.
#pragma once

#include <gmime/gmime.h>

#include <string>
#include <vector>

namespace aup::mime {

// Every distinct file name of `object`, the one most readers use first: Content-Disposition
// filename (RFC 2231 filename* before a plain one), then Content-Type name.
std::vector<std::string> part_names(GMimeObject* object);

}  // namespace aup::mime
