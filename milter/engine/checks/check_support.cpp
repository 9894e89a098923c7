// Parameter helpers and the registry of built-in checks.
#include "engine/checks/check_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "engine/addresses.hpp"

namespace aup {
namespace checks {

bool only_known_keys(const CheckParams& p, std::initializer_list<std::string_view> known) {
  bool ok = true;
  for (const auto& [key, value] : p.params.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      p.errors.push_back(fmt::format("unknown parameter \"{}\"", key));
      ok = false;
    }
  }
  return ok;
}

std::optional<std::vector<std::string>> string_list(const CheckParams& p, const char* key,
                                                    bool lower) {
  const auto found = p.params.find(key);
  if (found == p.params.end()) return std::vector<std::string>{};
  std::vector<std::string> out;
  if (found->is_array()) {
    for (const Json& item : *found) {
      if (!item.is_string()) break;
      out.push_back(lower ? to_lower_ascii(item.get<std::string>()) : item.get<std::string>());
    }
    if (out.size() == found->size()) return out;
  }
  p.errors.push_back(fmt::format("parameter \"{}\" must be an array of strings", key));
  return std::nullopt;
}

std::optional<size_t> count_param(const CheckParams& p, const char* key,
                                  std::optional<size_t> fallback) {
  const auto found = p.params.find(key);
  if (found == p.params.end() && fallback) return fallback;
  if (found != p.params.end() && found->is_number_unsigned()) return found->get<size_t>();
  p.errors.push_back(fmt::format("\"{}\" must be a non-negative integer", key));
  return std::nullopt;
}

std::optional<std::vector<std::string>> list_file(const CheckParams& p, const char* key) {
  const auto found = p.params.find(key);
  if (found == p.params.end() || !found->is_string()) {
    p.errors.push_back(fmt::format("\"{}\" must name a list file", key));
    return std::nullopt;
  }
  const std::filesystem::path name(found->get<std::string>());
  const auto path = name.is_absolute() ? name : std::filesystem::path(p.base_dir) / name;
  std::ifstream in(path);
  if (!in) {
    p.errors.push_back(fmt::format("\"{}\": cannot read {}", key, path.string()));
    return std::nullopt;
  }
  std::vector<std::string> entries;
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto last = line.find_last_not_of(" \t\r");
    entries.push_back(to_lower_ascii(line.substr(first, last - first + 1)));
  }
  if (entries.empty()) {
    p.errors.push_back(fmt::format("\"{}\": {} has no entries", key, path.string()));
    return std::nullopt;
  }
  return entries;
}

std::shared_ptr<const Regex> pattern_param(const CheckParams& p, const Json& value,
                                           const std::string& where) {
  if (!value.is_string()) {
    p.errors.push_back(fmt::format("{} must be a pattern string", where));
    return nullptr;
  }
  RegexError error;
  std::shared_ptr<const Regex> regex = Regex::compile(value.get<std::string>(), error);
  if (!regex) {
    p.errors.push_back(
        fmt::format("{}: regex error at offset {}: {}", where, error.offset, error.message));
  }
  return regex;
}

const Registry& registry() {
  static const Registry all = [] {
    Registry built;
    add_basic_checks(built);
    add_personal_checks(built);
    add_identity_checks(built);
    add_content_checks(built);
    add_attachment_checks(built);
    add_virus_checks(built);
    return built;
  }();
  return all;
}

}  // namespace checks

std::unique_ptr<Check> make_check(std::string_view name, const CheckParams& params) {
  const auto& all = checks::registry();
  const auto found = all.find(name);
  if (found == all.end()) {
    params.errors.push_back(fmt::format("unknown check \"{}\"", name));
    return nullptr;
  }
  if (!params.params.is_object()) {
    params.errors.push_back("\"params\" must be an object");
    return nullptr;
  }
  return found->second(params);
}

std::vector<std::string_view> check_names() {
  std::vector<std::string_view> names;
  for (const auto& entry : checks::registry())
    names.push_back(entry.first);
  return names;
}

}  // namespace aup
