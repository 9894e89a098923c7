// Recognising personal mail and the statement of clause 4.2 in the author's own text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/eval_context.hpp"

namespace aup::checks {

// Lower case, one space for any run of white space (NBSP and line breaks included), quotes and
// sentence punctuation dropped, "e-mail" as "email", "authorized" as "authorised": the form in
// which the statement is compared, so that typing and mail clients do not matter.
std::string normalise_statement_text(std::string_view text);

struct PersonalFinding {
  bool personal = false;
  std::string why;  // the tag or the part of the statement that made it personal
  bool whole_statement = false;
  std::optional<std::string> misplaced;  // set when the whole statement is not where 4.2 says
};

// Remembered in context.shared when there is one.
PersonalFinding find_personal(const EvalContext& context);
PersonalFinding find_personal_uncached(const EvalContext& context);

}  // namespace aup::checks
