// Shared helpers for unit tests: temporary rule files and small policies.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/policy_loader.hpp"

namespace aup::test {

// A directory that is removed when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "aup-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A configuration for medway.gov.uk whose one rule file holds `rules_json` (a JSON array).
inline std::string write_policy(const TempDir& dir, const std::string& rules_json,
                                const std::string& extra_settings = "") {
  dir.write("rules.json", R"({"rules": )" + rules_json + "}");
  return dir.write("aup.json", R"({"internal_domains": ["medway.gov.uk"],
    "internal_networks": ["10.0.0.0/8", "::1"], )" +
                                   extra_settings + R"("rule_files": ["rules.json"]})");
}

// The policy of write_policy; the test stops, showing every diagnostic, if it does not load.
inline std::shared_ptr<const Policy> load(const TempDir& dir, const std::string& rules_json,
                                          const std::string& extra_settings = "") {
  const auto result = load_policy(write_policy(dir, rules_json, extra_settings));
  for (const auto& d : result.diagnostics)
    UNSCOPED_INFO(format_diagnostic(d));
  REQUIRE(result.policy);
  return result.policy;
}

}  // namespace aup::test
