// Built-in checks: conditions that a pattern cannot express (counts, lists, structure).
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/eval_context.hpp"

namespace aup {

class Check {
 public:
  virtual ~Check() = default;
  // A short human detail when the check fires, nullopt otherwise. Must not throw.
  virtual std::optional<std::string> evaluate(const EvalContext& context) const = 0;
};

// What a check's factory gets: its parameters, and the directory of the rule file that names
// it (list files are relative to it). Problems go to `errors`, one message each, naming the
// parameter.
struct CheckParams {
  const nlohmann::json& params;
  std::string base_dir;
  std::vector<std::string>& errors;
};

// Builds the named check; nullptr when the name or parameters are wrong (see `errors`).
std::unique_ptr<Check> make_check(std::string_view name, const CheckParams& params);

std::vector<std::string_view> check_names();

}  // namespace aup
