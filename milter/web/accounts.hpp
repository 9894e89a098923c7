// The web pages' built-in accounts: name, role and an argon2id password hash (libsodium), kept
// in one JSON file that `aupctl users` edits and `aupctl serve` reads at each sign-in.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace aup::web {

// officer: reviews and decides. auditor: reads everything, decides nothing.
enum class Role { officer, auditor };

std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view name);

struct Account {
  std::string name;
  Role role = Role::auditor;
};

class AccountError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Lower-case letters, digits and . _ @ - ; 1 to 64 characters: safe in the audit trail and in
// a URL, and one spelling per person ("Alice" and "alice" must not be two officers).
bool valid_account_name(std::string_view name);

// An account as stored: its hash identifies the password it was signed in with.
struct AccountRecord {
  Account account;
  std::string hash;
};

class AccountFile {
 public:
  explicit AccountFile(std::string path) : path_(std::move(path)) {}

  // Each change reads the file, changes it and replaces it atomically under an exclusive
  // lock, so that two administrators do not lose each other's edits. Throw AccountError.
  void add(const std::string& name, Role role, const std::string& password) const;
  void set_password(const std::string& name, const std::string& password) const;
  void remove(const std::string& name) const;

  std::vector<Account> list() const;
  std::optional<AccountRecord> find(const std::string& name) const;
  // The account when the password is right; nullopt for a wrong name or password (the same
  // work is done for an unknown name, so the answer's timing does not reveal which).
  std::optional<AccountRecord> verify(const std::string& name, const std::string& password) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Passwords shorter than this are refused.
inline constexpr size_t kMinPasswordLength = 12;

}  // namespace aup::web
