// Attachments in depth: the true type of every attachment, and archives opened (to a depth)
// so that their members meet the same rules. Bounded: members, bytes, ratio and depth.
#pragma once

#include <cstddef>

#include "mime/mime_view.hpp"

namespace aup::inspect {

struct InspectLimits {
  size_t max_depth = 3;                        // archives within archives
  size_t max_members = 1000;                   // per message
  size_t max_member_bytes = 32 * 1024 * 1024;  // kept for inspection per member
  size_t max_total_bytes = 256 * 1024 * 1024;  // uncompressed, per message
  size_t max_ratio = 100;                      // uncompressed : compressed, per archive
};

// Sets `true_type` on every attachment and appends archive members as attachments
// (`container`, `archive_depth`). What cannot be read goes to `view.uninspectable`.
void inspect_attachments(mime::MimeView& view, const InspectLimits& limits) noexcept;

}  // namespace aup::inspect
