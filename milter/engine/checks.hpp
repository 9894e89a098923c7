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

// Builds the named check from its `params`; returns nullptr and appends to `errors` (one
// message each, naming the parameter) when the name or parameters are wrong.
std::unique_ptr<Check> make_check(std::string_view name, const nlohmann::json& params,
                                  std::vector<std::string>& errors);

std::vector<std::string_view> check_names();

}  // namespace aup
