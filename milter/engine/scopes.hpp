// Where a pattern looks: the values of one scope in one message.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/eval_context.hpp"
#include "engine/policy.hpp"

namespace aup {

struct ScopeValue {
  std::string_view text;
  std::string where;  // "", or which part/header/recipient, for the match detail
};

// Parses "subject", "header:Name", "body", ...; nullopt for an unknown scope.
std::optional<Scope> parse_scope(std::string_view name);

std::vector<std::string_view> scope_names();

// The values to search. Views into `context`; valid while it lives.
std::vector<ScopeValue> scope_values(const Scope& scope, const EvalContext& context);

// Up to `max_bytes` of `text` around [begin, end), cut on UTF-8 boundaries, control
// characters shown as spaces: safe for logs and JSON.
std::string excerpt(std::string_view text, size_t begin, size_t end, size_t max_bytes = 80);

}  // namespace aup
