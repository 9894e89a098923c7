// Fuzz target: configuration and rule files -> policy. The input holds up to three files
// separated by a line "=====": the configuration (aup.json), a rule file it may name
// (rules.json) and a list file (words.txt). They are written to a private directory and
// loaded as ICT's files would be; a policy that loads then evaluates a small message, so that
// whatever the loader accepted is also safe to run.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "engine/evaluate.hpp"
#include "engine/policy_loader.hpp"

namespace {

// A private directory for the files, removed when the process ends.
struct WorkDirectory {
  std::filesystem::path path;
  WorkDirectory() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "aup-fuzz-policy-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path = pattern;
  }
  ~WorkDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

const std::filesystem::path& work_directory() {
  static const WorkDirectory directory;
  return directory.path;
}

void write_file(const std::string& name, std::string_view text) {
  std::ofstream(work_directory() / name, std::ios::binary | std::ios::trunc)
      .write(text.data(), static_cast<std::streamsize>(text.size()));
}

// Splits at "\n=====\n"; missing files are written empty.
void write_files(std::string_view input) {
  constexpr std::string_view kSeparator = "\n=====\n";
  const char* names[] = {"aup.json", "rules.json", "words.txt"};
  for (const char* name : names) {
    const size_t end = input.find(kSeparator);
    write_file(name, input.substr(0, end));
    input =
        end == std::string_view::npos ? std::string_view() : input.substr(end + kSeparator.size());
  }
}

aup::Message sample_message() {
  aup::Message message;
  message.envelope.sender = "jo.bloggs@medway.gov.uk";
  message.envelope.recipients = {"someone@example.com"};
  message.envelope.auth_user = "jo.bloggs";
  message.raw =
      "From: Jo Bloggs <jo.bloggs@medway.gov.uk>\r\nTo: someone@example.com\r\n"
      "Subject: [personal] chain letter OFFICIAL-SENSITIVE\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
      "Forward this to ten friends or bad luck will follow.\r\n--b\r\n"
      "Content-Type: application/octet-stream; name=run.exe\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAA\r\n"
      "--b--\r\n";
  return message;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  write_files(std::string_view(reinterpret_cast<const char*>(data), size));
  const aup::LoadResult loaded = aup::load_policy((work_directory() / "aup.json").string());
  // No policy must come with a reason; a policy is evaluated like any other.
  if (!loaded.policy) {
    if (loaded.diagnostics.empty()) std::abort();
    return 0;
  }
  static const aup::LocalServices services;  // as aupctl: in order, on this thread
  (void)aup::evaluate(*loaded.policy, sample_message(), services.get());
  return 0;
}
