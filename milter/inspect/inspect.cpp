// Archive expansion with libarchive, reading from memory, never from disk.
#include "inspect/inspect.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>

#include "inspect/names.hpp"
#include "inspect/parallel.hpp"
#include "inspect/true_type.hpp"

namespace aup::inspect {
namespace {

using mime::Attachment;

constexpr std::array kArchiveTypes = {"application/zip",
                                      "application/x-7z-compressed",
                                      "application/x-rar",
                                      "application/vnd.rar",
                                      "application/x-rar-compressed",
                                      "application/x-tar",
                                      "application/gzip",
                                      "application/x-gzip",
                                      "application/x-bzip2",
                                      "application/x-xz",
                                      "application/x-lzma",
                                      "application/zstd",
                                      "application/x-lzip",
                                      "application/vnd.ms-cab-compressed",
                                      "application/x-iso9660-image",
                                      "application/x-cpio",
                                      "application/java-archive"};

// Single-file compression: the member is the decompressed stream itself.
constexpr std::array kCompressionTypes = {
    "application/gzip",   "application/x-gzip", "application/x-bzip2", "application/x-xz",
    "application/x-lzma", "application/zstd",   "application/x-lzip"};

template <size_t N>
bool listed(const std::array<const char*, N>& types, const std::string& type) {
  return std::any_of(types.begin(), types.end(), [&](const char* t) { return type == t; });
}

struct ArchiveFree {
  void operator()(archive* handle) const { archive_read_free(handle); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

std::string display_name(const Attachment& part) {
  return part.filename.empty() ? "part " + part.path : "\"" + part.filename + "\"";
}

class Expander {
 public:
  Expander(const InspectLimits& limits, mime::MimeView& view, const InspectTools& tools)
      : limits_(limits), view_(view), tools_(tools) {}

  void run() {
    // Inline text is typed too: a program sent as a text/plain body is still a program. Only
    // binary formats matter there (a script pasted into a message is words to read), and
    // attached text is typed in full with the attachments. That goes on beside the rest.
    std::vector<mime::TextPart>& texts = view_.text_parts;
    const TypeDetector& types = tools_.types;
    BackgroundTasks inline_text(tools_.executor, texts.size(), [&texts, &types](size_t k) {
      texts[k].true_type = types.binary_type_of(texts[k].head);
    });
    // Names are seen as a reader's eye sees them, whatever format characters they hold.
    for (Attachment& part : view_.attachments)
      add_visible_names(part);
    // Members are appended while walking, so nested archives are reached by the same loop.
    // Each round types everything found so far at once, spread over idle cores (libmagic's
    // text tests cost 1 to 2 ms per text file), then opens the archives among them.
    type_round(0, view_.attachments.size());
    for (size_t i = 0; i < view_.attachments.size() && !stopped_;) {
      const size_t end = view_.attachments.size();
      for (; i < end && !stopped_; ++i)
        if (listed(kArchiveTypes, view_.attachments[i].true_type)) expand(i);
      if (!stopped_) type_round(end, view_.attachments.size());
    }
    inline_text.finish();
  }

 private:
  void type_round(size_t begin, size_t end) {
    for_each_in_parallel(tools_.executor, end - begin, [&](size_t k) {
      // Encrypted members come typed already: their bytes were never read.
      Attachment& part = view_.attachments[begin + k];
      if (part.true_type.empty()) part.true_type = tools_.types.true_type_of(part.bytes);
    });
  }

  void uninspectable(std::string reason) {
    if (view_.uninspectable.size() < 20) view_.uninspectable.push_back(std::move(reason));
  }

  void expand(size_t index) {
    const Attachment& parent = view_.attachments[index];
    if (parent.archive_depth >= limits_.max_depth) {
      return uninspectable(fmt::format("archive {} is nested deeper than {} archives",
                                       display_name(parent), limits_.max_depth));
    }
    std::vector<Attachment> members;
    read_members(parent, members);
    for (Attachment& member : members)
      view_.attachments.push_back(std::move(member));
  }

  ArchivePtr open(const Attachment& parent) {
    ArchivePtr handle(archive_read_new());
    archive_read_support_filter_all(handle.get());
    archive_read_support_format_all(handle.get());
    declare_name_charsets(handle.get());
    if (listed(kCompressionTypes, parent.true_type)) archive_read_support_format_raw(handle.get());
    if (archive_read_open_memory(handle.get(), parent.bytes.data(), parent.bytes.size()) !=
        ARCHIVE_OK) {
      uninspectable(fmt::format("archive {} cannot be read: {}", display_name(parent),
                                error_of(handle.get())));
      return nullptr;
    }
    return handle;
  }

  static std::string error_of(archive* handle) {
    const char* text = archive_error_string(handle);
    return text != nullptr ? text : "unknown error";
  }

  void read_members(const Attachment& parent, std::vector<Attachment>& members) {
    const Utf8NamesInThisThread utf8_names;  // outlives the archive, whose converters it shapes
    ArchivePtr handle = open(parent);
    if (!handle) return;
    size_t unpacked = 0;
    archive_entry* entry = nullptr;
    for (int status; (status = archive_read_next_header(handle.get(), &entry)) != ARCHIVE_EOF;) {
      if (status < ARCHIVE_WARN) {
        return uninspectable(fmt::format("archive {} cannot be read: {}", display_name(parent),
                                         error_of(handle.get())));
      }
      if (archive_entry_filetype(entry) != AE_IFREG) continue;
      if (++members_ > limits_.max_members)
        return stop("more than {} archive members", limits_.max_members);
      Attachment member = member_of(parent, handle.get(), entry, members.size() + 1);
      if (archive_entry_is_encrypted(entry)) {
        encrypted(parent, entry, member);
      } else if (!read_data(handle.get(), parent, member, unpacked)) {
        members.push_back(std::move(member));
        return;
      }
      members.push_back(std::move(member));
    }
  }

  Attachment member_of(const Attachment& parent, archive* handle, archive_entry* entry,
                       size_t number) {
    Attachment member;
    member.path = fmt::format("{}/{}", parent.path, number);
    // A member without a readable name is still typed, but no name rule can see it.
    if (std::optional<std::string> name = member_name(handle, entry)) {
      member.filename = std::move(*name);
      member.names = {member.filename};
      add_visible_names(member);
    } else {
      uninspectable(fmt::format("the name of member {} of {} cannot be read: {}", number,
                                display_name(parent), error_of(handle)));
    }
    member.disposition = "archive member";
    member.message_depth = parent.message_depth;
    member.archive_depth = parent.archive_depth + 1;
    member.container =
        parent.container.empty() ? parent.filename : parent.container + "/" + parent.filename;
    return member;
  }

  // Its bytes cannot be read, so it is shown as the archive lists it: its declared size, of
  // unknown type. Encrypted content cannot be checked (clause 4.8.1).
  void encrypted(const Attachment& parent, archive_entry* entry, Attachment& member) {
    member.disposition = std::string(kEncryptedMember);
    member.true_type = "application/octet-stream";
    if (archive_entry_size_is_set(entry) != 0)
      member.size = static_cast<size_t>(std::max<la_int64_t>(archive_entry_size(entry), 0));
    uninspectable(
        fmt::format("member {} of {} is encrypted", display_name(member), display_name(parent)));
  }

  // Reads one member's data within the limits; false when reading must stop.
  bool read_data(archive* handle, const Attachment& parent, Attachment& member, size_t& unpacked) {
    std::array<char, 64 * 1024> buffer{};
    for (;;) {
      const la_ssize_t got = archive_read_data(handle, buffer.data(), buffer.size());
      if (got == 0) return true;
      if (got < 0) {
        uninspectable(fmt::format("member {} of {} cannot be read: {}", display_name(member),
                                  display_name(parent), error_of(handle)));
        return false;
      }
      const auto size = static_cast<size_t>(got);
      member.size += size;
      unpacked += size;
      total_ += size;
      const size_t room =
          limits_.max_member_bytes - std::min(member.bytes.size(), limits_.max_member_bytes);
      member.bytes.append(buffer.data(), std::min(size, room));
      if (total_ > limits_.max_total_bytes) {
        stop("more than {} bytes unpacked from archives", limits_.max_total_bytes);
        return false;
      }
      if (unpacked > 1024 * 1024 &&
          unpacked / std::max<size_t>(parent.bytes.size(), 1) > limits_.max_ratio) {
        uninspectable(fmt::format("archive {} expands more than {} times (an archive bomb?)",
                                  display_name(parent), limits_.max_ratio));
        return false;
      }
    }
  }

  template <typename... Args>
  void stop(fmt::format_string<Args...> format, Args&&... args) {
    uninspectable(fmt::format(format, std::forward<Args>(args)...));
    stopped_ = true;
  }

  const InspectLimits& limits_;
  mime::MimeView& view_;
  const InspectTools& tools_;
  size_t members_ = 0;
  size_t total_ = 0;
  bool stopped_ = false;
};

}  // namespace

std::string shown_type(const mime::Attachment& part) {
  return part.disposition == kEncryptedMember ? "encrypted, type unknown" : part.true_type;
}

void inspect_attachments(mime::MimeView& view, const InspectLimits& limits,
                         const InspectTools& tools) noexcept {
  try {
    Expander(limits, view, tools).run();
  } catch (const std::exception& error) {
    view.uninspectable.push_back(std::string("attachment inspection failed: ") + error.what());
  } catch (...) {
    view.uninspectable.push_back("attachment inspection failed");
  }
}

}  // namespace aup::inspect
