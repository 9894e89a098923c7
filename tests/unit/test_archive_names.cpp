// Archive member names through the real libarchive, in the process's "C" locale as the daemon
// runs: UTF-8 flagged, CP437 and Info-ZIP Unicode Path zip names, pax tar names, names that
// cannot be read, format characters in names, and encrypted members.
#include <archive.h>
#include <archive_entry.h>
#include <glib.h>
#include <locale.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <vector>

#include "inspect/inspect.hpp"
#include "inspect/names.hpp"
#include "mime/mime_view.hpp"
#include "review/quarantine_view.hpp"

namespace {

using aup::mime::Attachment;
using aup::mime::MimeView;

void put16(std::string& out, unsigned long value) {
  out.push_back(static_cast<char>(value & 0xFF));
  out.push_back(static_cast<char>((value >> 8) & 0xFF));
}

void put32(std::string& out, unsigned long value) {
  put16(out, value & 0xFFFF);
  put16(out, (value >> 16) & 0xFFFF);
}

unsigned long crc_of(const std::string& bytes) {
  unsigned long crc = 0xFFFFFFFF;
  for (const unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc >> 1) ^ (0xEDB88320UL & (0UL - (crc & 1)));
  }
  return crc ^ 0xFFFFFFFF;
}

// A zip of one stored member with exactly these name bytes, flags and extra field: libarchive's
// and Python's writers choose the flags themselves, and these tests need each case as written.
std::string stored_zip(const std::string& name, unsigned flags, const std::string& extra = "") {
  const std::string data = "hello\n";
  const unsigned long crc = crc_of(data);
  auto common = [&](std::string& out) {
    put16(out, flags);
    put16(out, 0);  // stored
    put32(out, 0);  // DOS time and date
    put32(out, crc);
    put32(out, data.size());
    put32(out, data.size());
    put16(out, name.size());
    put16(out, extra.size());
  };
  std::string local;
  put32(local, 0x04034b50);
  put16(local, 20);
  common(local);
  local += name + extra + data;
  std::string central;
  put32(central, 0x02014b50);
  put16(central, 20);
  put16(central, 20);
  common(central);
  put16(central, 0);  // comment length
  put16(central, 0);  // disk
  put16(central, 0);  // internal attributes
  put32(central, 0);  // external attributes
  put32(central, 0);  // offset of the local header
  central += name + extra;
  std::string end;
  put32(end, 0x06054b50);
  put32(end, 0);  // disks
  put16(end, 1);
  put16(end, 1);
  put32(end, central.size());
  put32(end, local.size());
  put16(end, 0);
  return local + central + end;
}

// Written by libarchive: `format` a writer setter, `options` its options; the name UTF-8, or
// bytes written as they are (`raw_name`).
std::string written(int (*format)(archive*), const std::string& name, const char* options = "",
                    const char* passphrase = nullptr, bool raw_name = false) {
  // libarchive's writers need a UTF-8 locale as much as its readers (its pax writer crashes on
  // a non-ASCII name in the "C" locale); reading is left to inspect_attachments alone.
  const aup::inspect::Utf8NamesInThisThread utf8_names;
  std::string out(64 * 1024, '\0');
  size_t used = 0;
  archive* writer = archive_write_new();
  REQUIRE(format(writer) == ARCHIVE_OK);
  REQUIRE(archive_write_set_options(writer, options) == ARCHIVE_OK);
  if (passphrase != nullptr)
    REQUIRE(archive_write_set_passphrase(writer, passphrase) == ARCHIVE_OK);
  REQUIRE(archive_write_open_memory(writer, out.data(), out.size(), &used) == ARCHIVE_OK);
  archive_entry* entry = archive_entry_new();
  if (raw_name)
    archive_entry_copy_pathname(entry, name.c_str());  // the bytes as they are
  else
    archive_entry_set_pathname_utf8(entry, name.c_str());
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_perm(entry, 0644);
  const std::string data = "Board minutes\n";
  archive_entry_set_size(entry, static_cast<la_int64_t>(data.size()));
  REQUIRE(archive_write_header(writer, entry) == ARCHIVE_OK);
  REQUIRE(archive_write_data(writer, data.data(), data.size()) ==
          static_cast<la_ssize_t>(data.size()));
  archive_entry_free(entry);
  REQUIRE(archive_write_close(writer) == ARCHIVE_OK);
  archive_write_free(writer);
  out.resize(used);
  return out;
}

MimeView inspected(const std::string& archive_bytes, const std::string& name = "docs.zip") {
  MimeView view;
  Attachment part;
  part.path = "2";
  part.filename = name;
  part.names = {name};
  part.content_type = "application/octet-stream";
  part.size = archive_bytes.size();
  part.bytes = archive_bytes;
  view.attachments.push_back(part);
  const aup::inspect::TypeDetector types;
  aup::inspect::inspect_attachments(view, {}, {aup::inspect::sequential_executor(), types});
  return view;
}

const Attachment& only_member(const MimeView& view) {
  REQUIRE(view.attachments.size() == 2);
  REQUIRE(view.attachments[1].archive_depth == 1);
  return view.attachments[1];
}

bool has_name(const Attachment& part, const std::string& name) {
  return std::find(part.names.begin(), part.names.end(), name) != part.names.end();
}

}  // namespace

TEST_CASE("zip member names are read in the charset the zip declares", "[inspect][archive_names]") {
  // The daemon never calls setlocale: names must come out right in the "C" locale.
  REQUIRE(std::string(setlocale(LC_CTYPE, nullptr)) == "C");
  struct Case {
    const char* what;
    std::string zip;
    std::string name;
  };
  // Info-ZIP Unicode Path extra field 0x7075: version 1, the CRC of the stored name, UTF-8.
  std::string upath = "\x01";
  put32(upath, crc_of("facture.js"));
  upath += "fact\u00fcre.js";
  std::string upath_field;
  put16(upath_field, 0x7075);
  put16(upath_field, upath.size());
  upath_field += upath;
  const std::vector<Case> cases = {
      {"UTF-8 flag (bit 11)", stored_zip("fact\u00fcre.js", 0x800), "fact\u00fcre.js"},
      {"CP437 without the flag", stored_zip("fact\x81re.js", 0), "fact\u00fcre.js"},
      {"CP437 box drawing", stored_zip("\xC9\xCD\xBB.txt", 0), "\u2554\u2550\u2557.txt"},
      {"Info-ZIP Unicode Path field", stored_zip("facture.js", 0, upath_field), "fact\u00fcre.js"},
      {"UTF-8 right-to-left override", stored_zip("photo\u202Egpj.exe", 0x800),
       "photo\u202Egpj.exe"},
      {"libarchive's own UTF-8 zip", written(archive_write_set_format_zip, "fact\u00fcre.js"),
       "fact\u00fcre.js"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    const MimeView view = inspected(c.zip);
    CHECK(view.uninspectable.empty());
    const Attachment& member = only_member(view);
    CHECK(member.filename == c.name);
    CHECK(member.names.front() == c.name);
  }
}

TEST_CASE("pax tar names are read as UTF-8", "[inspect][archive_names]") {
  const MimeView view =
      inspected(written(archive_write_set_format_pax, "fact\u00fcre.js"), "docs.tar");
  CHECK(view.uninspectable.empty());
  CHECK(only_member(view).filename == "fact\u00fcre.js");
}

TEST_CASE("legacy tar names in an undeclared charset are guessed, not lost",
          "[inspect][archive_names]") {
  const std::string latin1 = "fact\xfcre.js";
  const MimeView view =
      inspected(written(archive_write_set_format_gnutar, latin1, "", nullptr, true), "docs.tar");
  CHECK(view.uninspectable.empty());
  CHECK(only_member(view).filename == "fact\u00fcre.js");
}

TEST_CASE("a member whose name cannot be read is uninspectable, not \"data\"",
          "[inspect][archive_names]") {
  // Flagged UTF-8 but not UTF-8: libarchive gives the name in no form at all.
  const MimeView view = inspected(stored_zip("bad\xff\xfe.js", 0x800));
  const Attachment& member = only_member(view);
  CHECK(member.filename.empty());
  CHECK(member.names.empty());
  CHECK(member.true_type == "text/plain");  // its bytes are still typed
  REQUIRE(view.uninspectable.size() == 1);
  CHECK_THAT(view.uninspectable[0], Catch::Contains("name of member 1 of \"docs.zip\""));
}

TEST_CASE("reading archive names leaves the thread's locale as it was",
          "[inspect][archive_names]") {
  const locale_t before = uselocale(nullptr);
  inspected(stored_zip("fact\u00fcre.js", 0x800));
  CHECK(uselocale(nullptr) == before);
  CHECK(std::string(setlocale(LC_CTYPE, nullptr)) == "C");
}

// Each thread sets and restores its own locale: none sees another's, however they interleave.
TEST_CASE("archive names are read on several threads at once",
          "[inspect][archive_names][parallel]") {
  const std::string zip = stored_zip("fact\u00fcre.js", 0x800);
  std::vector<std::future<bool>> runs;
  for (int thread = 0; thread < 8; ++thread) {
    runs.push_back(std::async(std::launch::async, [&zip] {
      const locale_t before = uselocale(nullptr);
      bool right = true;
      for (int round = 0; round < 50; ++round)
        right = right && inspected(zip).attachments.at(1).filename == "fact\u00fcre.js";
      return right && uselocale(nullptr) == before;
    }));
  }
  for (auto& run : runs)
    CHECK(run.get());
}

TEST_CASE("names are also offered without format characters", "[inspect][archive_names]") {
  using aup::inspect::without_format_characters;
  CHECK(without_format_characters("photo\u202Egpj.exe") == "photogpj.exe");
  CHECK(without_format_characters("tool.exe\u200E") == "tool.exe");
  CHECK(without_format_characters("\u2066tool.e\u200Dxe\u2069 ") == "tool.exe ");
  CHECK(without_format_characters("r\u00e9sum\u00e9.pdf") == "r\u00e9sum\u00e9.pdf");
  CHECK(without_format_characters("bad\xff.js\u200B") == "bad\xff.js");

  // MIME attachments' names and archive members' names alike.
  const MimeView view = inspected(stored_zip("tool.exe\u200E", 0x800), "photo\u202Egpj.zip");
  CHECK(view.attachments[0].names ==
        std::vector<std::string>{"photo\u202Egpj.zip", "photogpj.zip"});
  const Attachment& member = only_member(view);
  CHECK(member.filename == "tool.exe\u200E");  // the name as written stays for the record
  CHECK(has_name(member, "tool.exe"));
}

TEST_CASE("an encrypted member shows its declared size and an unknown type",
          "[inspect][archive_names]") {
  const std::string zip =
      written(archive_write_set_format_zip, "minutes.txt", "zip:encryption=zipcrypt", "secret");
  const MimeView view = inspected(zip, "locked.zip");
  const Attachment& member = only_member(view);
  CHECK(member.filename == "minutes.txt");
  CHECK(member.size == 14);
  CHECK(member.true_type == "application/octet-stream");
  CHECK(member.disposition == aup::inspect::kEncryptedMember);
  CHECK(aup::inspect::shown_type(member) == "encrypted, type unknown");
  REQUIRE(view.uninspectable.size() == 1);
  CHECK(view.uninspectable[0] == "member \"minutes.txt\" of \"locked.zip\" is encrypted");
}

TEST_CASE("a reviewer sees an encrypted member as encrypted, with its size", "[archive_names]") {
  const std::string zip =
      written(archive_write_set_format_zip, "minutes.txt", "zip:encryption=zipcrypt", "secret");
  gchar* encoded = g_base64_encode(reinterpret_cast<const guchar*>(zip.data()), zip.size());
  const std::string message =
      "From: jo.bloggs@medway.gov.uk\nTo: partner@example.org\nSubject: minutes\n"
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
      "Content-Type: text/plain\n\nThe minutes.\n--b\n"
      "Content-Type: application/zip; name=locked.zip\nContent-Transfer-Encoding: base64\n\n" +
      std::string(encoded) + "\n--b--\n";
  g_free(encoded);
  const auto view = aup::review::review_view({}, std::nullopt, message, {});
  const auto& member = view["content"]["attachments"].at(1);
  CHECK(member["name"] == "minutes.txt");
  CHECK(member["true_type"] == "encrypted, type unknown");
  CHECK(member["size"] == 14);
  CHECK_THAT(aup::review::review_text(view),
             Catch::Contains("minutes.txt: encrypted, type unknown (declared ), 14 bytes"));
}
