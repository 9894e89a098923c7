// Parameter reading shared by the built-in checks: each problem becomes one clear message.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/checks.hpp"
#include "engine/regex.hpp"

namespace aup::checks {

using Json = nlohmann::json;
using Factory = std::function<std::unique_ptr<Check>(const CheckParams&)>;
using Registry = std::map<std::string, Factory, std::less<>>;

// Each file of built-in checks adds its factories here.
void add_basic_checks(Registry& registry);
void add_personal_checks(Registry& registry);
void add_identity_checks(Registry& registry);
void add_content_checks(Registry& registry);
void add_attachment_checks(Registry& registry);
void add_virus_checks(Registry& registry);

bool only_known_keys(const CheckParams& p, std::initializer_list<std::string_view> known);

// The factory of a check that takes no parameters.
template <typename PlainCheck>
std::unique_ptr<Check> make_plain(const CheckParams& p) {
  if (!only_known_keys(p, {})) return nullptr;
  return std::make_unique<PlainCheck>();
}

// An optional array of strings (lower-cased when `lower`); nullopt after reporting when wrong.
std::optional<std::vector<std::string>> string_list(const CheckParams& p, const char* key,
                                                    bool lower);

// A non-negative integer parameter, `fallback` when absent; nullopt after reporting when wrong.
std::optional<size_t> count_param(const CheckParams& p, const char* key,
                                  std::optional<size_t> fallback);

// A list file (one entry a line, '#' comments, blank lines ignored), relative to the rule
// file; entries lower-cased. nullopt after reporting when it cannot be read or is empty.
std::optional<std::vector<std::string>> list_file(const CheckParams& p, const char* key);

// A PCRE2 pattern parameter compiled like a rule's; nullptr after reporting when wrong.
std::shared_ptr<const Regex> pattern_param(const CheckParams& p, const Json& value,
                                           const std::string& where);

}  // namespace aup::checks
