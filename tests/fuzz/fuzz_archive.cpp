// Fuzz target: one attachment's bytes -> true type and archive inspection (libmagic,
// libarchive, nested archives), under the default limits, which the result must respect.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "inspect/inspect.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  aup::mime::MimeView view;
  aup::mime::Attachment part;
  part.path = "2";
  part.filename = "upload.zip";
  part.names = {part.filename};
  part.content_type = "application/octet-stream";
  part.bytes.assign(reinterpret_cast<const char*>(data), size);
  part.size = size;
  view.attachments.push_back(std::move(part));

  const aup::inspect::InspectLimits limits;
  static const aup::inspect::TypeDetector types;  // as aupctl: in order, on this thread
  aup::inspect::inspect_attachments(view, limits, {aup::inspect::sequential_executor(), types});

  size_t unpacked = 0;
  for (const aup::mime::Attachment& member : view.attachments) {
    if (member.true_type.empty()) std::abort();  // every part typed
    if (member.archive_depth > limits.max_depth) std::abort();
    if (member.bytes.size() > limits.max_member_bytes) std::abort();
    if (member.archive_depth > 0) unpacked += member.bytes.size();
  }
  if (view.attachments.size() > limits.max_members + 1) std::abort();
  if (unpacked > limits.max_total_bytes) std::abort();
  return 0;
}
