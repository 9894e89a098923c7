// Archive member names through libarchive's own conversions, with the charsets zip declares.
#include "inspect/names.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>

#include <algorithm>
#include <cwchar>

#include "mime/text_decode.hpp"

namespace aup::inspect {
namespace {

// Made once and never freed: threads may still be reading archives when main returns.
locale_t utf8_ctype() noexcept {
  static const locale_t locale = [] {
    locale_t made = newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr);
    return made != nullptr ? made : newlocale(LC_CTYPE_MASK, "C.utf8", nullptr);
  }();
  return locale;
}

bool is_zip(archive* handle) {
  return (archive_format(handle) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP;
}

std::optional<std::string> from_wide(const wchar_t* wide) {
  static_assert(sizeof(wchar_t) == sizeof(gunichar), "glibc's wchar_t holds UCS-4");
  gchar* utf8 =
      g_ucs4_to_utf8(reinterpret_cast<const gunichar*>(wide), -1, nullptr, nullptr, nullptr);
  if (utf8 == nullptr) return std::nullopt;
  std::string out = mime::make_valid_utf8(utf8);
  g_free(utf8);
  return out;
}

}  // namespace

// Without a UTF-8 locale object (no C.UTF-8 installed) nothing changes: non-ASCII names then
// stay unreadable, and the expander records them as uninspectable.
Utf8NamesInThisThread::Utf8NamesInThisThread() noexcept {
  if (const locale_t locale = utf8_ctype(); locale != nullptr) previous_ = uselocale(locale);
}

Utf8NamesInThisThread::~Utf8NamesInThisThread() {
  if (previous_ != nullptr) uselocale(previous_);
}

// Zip names flagged UTF-8 (bit 11) or carried in an Info-ZIP Unicode Path field are read as
// UTF-8 by libarchive whatever this says. If the option cannot be set (no CP437 converter),
// member_name converts the raw bytes itself.
void declare_name_charsets(archive* handle) noexcept {
  archive_read_set_options(handle, "zip:hdrcharset=CP437");
}

// Tar (pax), 7-Zip and RAR declare UTF-8 or UTF-16 names, which libarchive gives in UTF-8;
// what is left is raw bytes in an undeclared charset: CP437 in zip, a guess elsewhere.
std::optional<std::string> member_name(archive* handle, archive_entry* entry) {
  if (const char* utf8 = archive_entry_pathname_utf8(entry)) return mime::make_valid_utf8(utf8);
  if (const wchar_t* wide = archive_entry_pathname_w(entry)) {
    if (auto name = from_wide(wide)) return name;
  }
  if (const char* raw = archive_entry_pathname(entry))
    return mime::to_utf8(raw, is_zip(handle) ? "CP437" : nullptr);
  return std::nullopt;
}

std::string without_format_characters(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t at = 0; at < name.size();) {
    const gunichar c = g_utf8_get_char_validated(name.data() + at, name.size() - at);
    if (c == static_cast<gunichar>(-1) || c == static_cast<gunichar>(-2)) {
      out.push_back(name[at++]);  // not UTF-8: not a format character either
      continue;
    }
    const auto length = static_cast<size_t>(g_unichar_to_utf8(c, nullptr));
    if (g_unichar_type(c) != G_UNICODE_FORMAT) out.append(name.substr(at, length));
    at += length;
  }
  return out;
}

void add_visible_names(mime::Attachment& part) {
  const size_t declared = part.names.size();
  for (size_t i = 0; i < declared; ++i) {
    std::string visible = without_format_characters(part.names[i]);
    if (visible != part.names[i] &&
        std::find(part.names.begin(), part.names.end(), visible) == part.names.end()) {
      part.names.push_back(std::move(visible));
    }
  }
}

}  // namespace aup::inspect
