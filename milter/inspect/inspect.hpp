// Attachments in depth: the true type of every attachment, and archives opened (to a depth)
// so that their members meet the same rules. Bounded: members, bytes, ratio and depth.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "inspect/executor.hpp"
#include "inspect/true_type.hpp"
#include "mime/mime_view.hpp"

namespace aup::inspect {

struct InspectLimits {
  size_t max_depth = 3;                        // archives within archives
  size_t max_members = 1000;                   // per message
  size_t max_member_bytes = 32 * 1024 * 1024;  // kept for inspection per member
  size_t max_total_bytes = 256 * 1024 * 1024;  // uncompressed, per message
  size_t max_ratio = 100;                      // uncompressed : compressed, per archive
};

// The `disposition` of an archive member that is encrypted: its bytes unread, its `true_type`
// unknown (application/octet-stream), its `size` the one the archive declares.
inline constexpr std::string_view kEncryptedMember = "encrypted archive member";

// The type to show a reviewer: what inspection learnt, saying so when the bytes were unseen.
std::string shown_type(const mime::Attachment& part);

// What inspection runs on, given by whoever owns the process: the workers that type a
// message's attachments side by side, and libmagic.
struct InspectTools {
  Executor& executor;
  const TypeDetector& types;
};

// Sets `true_type` on every attachment and appends archive members as attachments
// (`container`, `archive_depth`). What cannot be read goes to `view.uninspectable`.
void inspect_attachments(mime::MimeView& view, const InspectLimits& limits,
                         const InspectTools& tools) noexcept;

}  // namespace aup::inspect
