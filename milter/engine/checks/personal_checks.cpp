// Personal mail (clauses 4.1, 4.2, 2.2): the statement is whole and in place, and personal
// mail is sent outside working hours.
#include <fmt/format.h>

#include "engine/checks/check_support.hpp"
#include "engine/checks/personal_mail.hpp"
#include "engine/working_hours.hpp"

namespace aup::checks {
namespace {

// Personal mail without the whole statement of 4.2.
class PersonalStatementMissing final : public Check {
 public:
  std::optional<std::string> evaluate(const EvalContext& context) const override {
    const PersonalFinding finding = find_personal(context);
    if (!finding.personal || finding.whole_statement) return std::nullopt;
    return fmt::format("personal mail ({}) without the whole statement", finding.why);
  }
};

// The whole statement, but not starting or signing off the author's own text.
class PersonalStatementPosition final : public Check {
 public:
  std::optional<std::string> evaluate(const EvalContext& context) const override {
    const PersonalFinding finding = find_personal(context);
    if (!finding.whole_statement || !finding.misplaced) return std::nullopt;
    return *finding.misplaced;
  }
};

// Personal mail sent within working hours, for the line manager's review.
class PersonalInWorkingHours final : public Check {
 public:
  std::optional<std::string> evaluate(const EvalContext& context) const override {
    const PersonalFinding finding = find_personal(context);
    if (!finding.personal) return std::nullopt;
    const LocalTime local = local_time(context.envelope.time, context.settings.working_hours);
    if (!local.working) return std::nullopt;
    return fmt::format("personal mail ({}) sent {}, within working hours", finding.why, local.text);
  }
};

}  // namespace

void add_personal_checks(Registry& registry) {
  registry.emplace("personal_statement_missing", make_plain<PersonalStatementMissing>);
  registry.emplace("personal_statement_position", make_plain<PersonalStatementPosition>);
  registry.emplace("personal_in_working_hours", make_plain<PersonalInWorkingHours>);
}

}  // namespace aup::checks
