// Built-in accounts in a JSON file, argon2id hashes from libsodium.
#include "web/accounts.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace aup::web {
namespace {

using Json = nlohmann::json;

void need_sodium() {
  if (sodium_init() < 0) throw AccountError("libsodium could not be initialised");
}

std::string hash_password(const std::string& password) {
  need_sodium();
  if (password.size() < kMinPasswordLength) {
    throw AccountError(
        fmt::format("the password must have at least {} characters", kMinPasswordLength));
  }
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw AccountError("out of memory while hashing the password");
  }
  return hash;
}

bool password_matches(const std::string& hash, const std::string& password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// What an unknown name is checked against, so that it costs what a known one does.
const std::string& decoy_hash() {
  static const std::string hash = hash_password("decoy password, never valid");
  return hash;
}

Json read_document(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return Json{{"accounts", Json::array()}};
    throw AccountError(fmt::format("{}: {}", path, std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  Json document = Json::parse(text.str(), nullptr, false);
  if (document.is_discarded() || !document.contains("accounts") ||
      !document["accounts"].is_array()) {
    throw AccountError(fmt::format("{}: not an accounts file", path));
  }
  return document;
}

// Written beside the file, flushed, then renamed over it: never a half-written file. A new file
// takes its directory's group (the reviewers' group that `aupctl serve` runs in), mode 0640.
void write_document(const std::string& path, const Json& document) {
  // A group member could plant a link where the temporary file goes: never follow one.
  const std::string temporary = path + ".new";
  ::unlink(temporary.c_str());
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (fd < 0) throw AccountError(fmt::format("{}: {}", temporary, std::strerror(errno)));
  struct stat directory {};
  const std::string parent = std::filesystem::path(path).parent_path().string();
  if (::stat(parent.empty() ? "." : parent.c_str(), &directory) == 0) {
    if (::fchown(fd, static_cast<uid_t>(-1), directory.st_gid) != 0) {
      // Not fatal: the file keeps its creator's group, and `aupctl serve` says so if it then
      // cannot read it.
    }
  }
  const std::string text = document.dump(2) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(temporary.c_str());
    throw AccountError(fmt::format("{}: {}", path, reason));
  }
}

// Holds an exclusive lock on PATH.lock for one read-change-write.
class FileLock {
 public:
  explicit FileLock(const std::string& path)
      : fd_(::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640)) {
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
      throw AccountError(fmt::format("{}.lock: {}", path, std::strerror(errno)));
    }
  }
  ~FileLock() { ::close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

Json* find_entry(Json& document, const std::string& name) {
  for (Json& entry : document["accounts"]) {
    if (entry.value("name", "") == name) return &entry;
  }
  return nullptr;
}

}  // namespace

std::string_view to_string(Role role) {
  return role == Role::officer ? "officer" : "auditor";
}

std::optional<Role> parse_role(std::string_view name) {
  if (name == "officer") return Role::officer;
  if (name == "auditor") return Role::auditor;
  return std::nullopt;
}

bool valid_account_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' ||
           c == '-';
  });
}

void AccountFile::add(const std::string& name, Role role, const std::string& password) const {
  if (!valid_account_name(name)) {
    throw AccountError(fmt::format(
        "\"{}\" is not a valid account name (lower-case letters, digits, . _ @ -)", name));
  }
  const std::string hash = hash_password(password);
  const FileLock lock(path_);
  Json document = read_document(path_);
  if (find_entry(document, name) != nullptr) {
    throw AccountError(fmt::format("account {} exists already", name));
  }
  document["accounts"].push_back({{"name", name}, {"role", to_string(role)}, {"hash", hash}});
  write_document(path_, document);
}

void AccountFile::set_password(const std::string& name, const std::string& password) const {
  const std::string hash = hash_password(password);
  const FileLock lock(path_);
  Json document = read_document(path_);
  Json* entry = find_entry(document, name);
  if (entry == nullptr) throw AccountError(fmt::format("no account {}", name));
  (*entry)["hash"] = hash;
  write_document(path_, document);
}

void AccountFile::remove(const std::string& name) const {
  const FileLock lock(path_);
  Json document = read_document(path_);
  Json kept = Json::array();
  for (const Json& entry : document["accounts"]) {
    if (entry.value("name", "") != name) kept.push_back(entry);
  }
  if (kept.size() == document["accounts"].size()) {
    throw AccountError(fmt::format("no account {}", name));
  }
  document["accounts"] = std::move(kept);
  write_document(path_, document);
}

std::vector<Account> AccountFile::list() const {
  std::vector<Account> accounts;
  const Json document = read_document(path_);
  for (const Json& entry : document["accounts"]) {
    const auto role = parse_role(entry.value("role", ""));
    if (role) accounts.push_back({entry.value("name", ""), *role});
  }
  return accounts;
}

std::optional<AccountRecord> AccountFile::find(const std::string& name) const {
  Json document = read_document(path_);
  const Json* entry = find_entry(document, name);
  if (entry == nullptr) return std::nullopt;
  const auto role = parse_role(entry->value("role", ""));
  if (!role) return std::nullopt;
  return AccountRecord{{name, *role}, entry->value("hash", "")};
}

std::optional<AccountRecord> AccountFile::verify(const std::string& name,
                                                 const std::string& password) const {
  need_sodium();
  const auto record = find(name);
  const bool matches = password_matches(record ? record->hash : decoy_hash(), password);
  if (!record || !matches) return std::nullopt;
  return record;
}

}  // namespace aup::web
