#include "quarantine/message_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>
#include <thread>

namespace aup::quarantine {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMessageFile = "message.eml";
constexpr const char* kRecordFile = "record.json";

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  // close() can report a write error that write() did not.
  void close_checked(const std::string& what) {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail(what);
  }

 private:
  int fd_;
};

// The modes are set outright: a daemon started by hand with umask 022 (or 077) must still
// give the reviewers' group what the packaged unit (UMask=0007) gives it.
void write_durably(const fs::path& path, std::string_view bytes) {
  FileDescriptor file(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
  if (file.get() < 0) fail("create " + path.string());
  if (::fchmod(file.get(), 0640) != 0) fail("chmod " + path.string());
  while (!bytes.empty()) {
    const ssize_t written = ::write(file.get(), bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) fail("write " + path.string());
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  if (::fsync(file.get()) != 0) fail("fsync " + path.string());
  file.close_checked("close " + path.string());
}

void sync_directory(const fs::path& path) {
  FileDescriptor directory(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (directory.get() < 0 || ::fsync(directory.get()) != 0) fail("fsync " + path.string());
}

// True when it made the directory (mode 0770 whatever the umask), false when it was there.
bool create_group_directory(const fs::path& path) {
  if (::mkdir(path.c_str(), 0770) != 0) {
    if (errno == EEXIST) return false;
    fail("create " + path.string());
  }
  if (::chmod(path.c_str(), 0770) != 0) fail("chmod " + path.string());
  return true;
}

void make_directory(const fs::path& path, bool create) {
  if (!create) {
    std::error_code error;
    if (fs::is_directory(path, error)) return;
    errno = ENOENT;
    fail(path.string() + " (the daemon creates it when it starts)");
  }
  create_group_directory(path);
}

std::string new_id(std::chrono::system_clock::time_point time) {
  thread_local std::mt19937 random{std::random_device{}()};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm fields{};
  gmtime_r(&seconds, &fields);
  char stamp[32] = {};
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &fields);
  return fmt::format("{}-{:08x}", stamp, random());
}

// Test hook for the crash test: pause between writing and publishing an item, so that a
// SIGKILL lands mid-write. Off unless the variable is set; never set by the package.
void pause_for_fault_injection() {
  const char* pause = std::getenv("AUP_TEST_QUARANTINE_PAUSE_MS");
  if (pause != nullptr && *pause != '\0') {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(pause)));
  }
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return bytes.str();
}

// Writes both files in `staging`, then renames it to `target`; false if the id is taken.
bool publish(const fs::path& staging, const fs::path& target, std::string_view message,
             const nlohmann::ordered_json& record, const std::string& id) {
  nlohmann::ordered_json with_id = record;
  with_id["id"] = id;
  write_durably(staging / kMessageFile, message);
  write_durably(
      staging / kRecordFile,
      with_id.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
  sync_directory(staging);
  pause_for_fault_injection();
  if (fs::exists(target)) {
    fs::remove_all(staging);
    return false;
  }
  if (::rename(staging.c_str(), target.c_str()) != 0) fail("rename into " + target.string());
  sync_directory(target.parent_path());
  return true;
}

}  // namespace

bool valid_item_id(std::string_view id) {
  if (id.empty() || id.size() > 64 || id.front() == '-') return false;
  for (const char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-')) return false;
  }
  return true;
}

MessageStore::MessageStore(std::string directory, bool create) : directory_(std::move(directory)) {
  make_directory(directory_, create);
  make_directory(fs::path(directory_) / "items", create);
  make_directory(fs::path(directory_) / "tmp", create);
}

std::string MessageStore::write(std::string_view message, const nlohmann::ordered_json& record,
                                std::chrono::system_clock::time_point time) const {
  const fs::path items = fs::path(directory_) / "items";
  for (int attempt = 0; attempt < 8; ++attempt) {
    const std::string id = new_id(time);
    const fs::path staging = fs::path(directory_) / "tmp" / id;
    if (!create_group_directory(staging)) continue;  // the id is taken
    try {
      if (publish(staging, items / id, message, record, id)) return id;
    } catch (...) {
      std::error_code ignored;
      fs::remove_all(staging, ignored);  // never leave a half-written item behind
      throw;
    }
  }
  errno = EEXIST;
  fail("no free quarantine id");
}

std::optional<std::string> MessageStore::read_message(const std::string& id) const {
  if (!valid_item_id(id)) return std::nullopt;
  return read_file(fs::path(directory_) / "items" / id / kMessageFile);
}

std::optional<nlohmann::json> MessageStore::read_record(const std::string& id) const {
  if (!valid_item_id(id)) return std::nullopt;
  const auto text = read_file(fs::path(directory_) / "items" / id / kRecordFile);
  if (!text) return std::nullopt;
  auto parsed = nlohmann::json::parse(*text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

bool MessageStore::contains(const std::string& id) const {
  std::error_code error;
  return valid_item_id(id) && fs::is_directory(fs::path(directory_) / "items" / id, error);
}

bool MessageStore::remove(const std::string& id) const {
  if (!valid_item_id(id)) return false;
  std::error_code error;
  fs::remove_all(fs::path(directory_) / "items" / id, error);
  return !error && !contains(id);
}

std::vector<std::string> MessageStore::ids() const {
  std::vector<std::string> out;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(fs::path(directory_) / "items", error)) {
    const std::string name = entry.path().filename().string();
    if (valid_item_id(name)) out.push_back(name);
  }
  return out;
}

void MessageStore::remove_stale_temporaries(std::chrono::seconds max_age) const {
  std::error_code error;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& entry : fs::directory_iterator(fs::path(directory_) / "tmp", error)) {
    std::error_code entry_error;
    const auto modified = entry.last_write_time(entry_error);
    if (!entry_error && now - modified > max_age) fs::remove_all(entry.path(), entry_error);
  }
}

}  // namespace aup::quarantine
