// Names of archive members read as each archive declares them (UTF-8, CP437 or legacy bytes),
// and attachment names as name rules must see them: without invisible format characters.
#pragma once

#include <locale.h>

#include <optional>
#include <string>
#include <string_view>

#include "mime/mime_view.hpp"

struct archive;
struct archive_entry;

namespace aup::inspect {

// libarchive converts every name it reads into the calling thread's locale and gives no name
// at all when that fails, as it does for any non-ASCII name in the daemon's "C" locale. While
// one of these lives, the calling thread alone (uselocale, not the process-wide setlocale) has
// a UTF-8 character type. Construct it before the archive is opened; it must end on the
// thread that made it.
class Utf8NamesInThisThread {
 public:
  Utf8NamesInThisThread() noexcept;
  ~Utf8NamesInThisThread();
  Utf8NamesInThisThread(const Utf8NamesInThisThread&) = delete;
  Utf8NamesInThisThread& operator=(const Utf8NamesInThisThread&) = delete;

 private:
  locale_t previous_ = nullptr;
};

// Declares the charset of names that archives leave undeclared: CP437 for zip members without
// the UTF-8 flag (APPNOTE 4.4.4). Call before the archive is opened.
void declare_name_charsets(archive* handle) noexcept;

// The member's name as valid UTF-8, or nullopt when libarchive could give it in no form.
std::optional<std::string> member_name(archive* handle, archive_entry* entry);

// `name` without format characters (Unicode Cf: bidi controls U+202A-U+202E and U+2066-U+2069,
// zero-width characters, soft hyphen, BOM...), which change how a name looks, or hide where it
// ends, without changing what the name is. Bytes that are not UTF-8 are kept.
std::string without_format_characters(std::string_view name);

// Adds to `part.names` each name without its format characters, where that differs, so that
// "tool.exe<U+200E>" or "photo<U+202E>gpj.exe" meet the name rules as "tool.exe", "photogpj.exe".
void add_visible_names(mime::Attachment& part);

}  // namespace aup::inspect
