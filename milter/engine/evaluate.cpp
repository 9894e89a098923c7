// Rule evaluation and the combination of matches into one verdict.
#include "engine/evaluate.hpp"

#include <fmt/format.h>

#include "engine/direction.hpp"
#include "engine/footer_step.hpp"
#include "engine/reply.hpp"
#include "engine/scopes.hpp"
#include "engine/size_limit.hpp"
#include "inspect/inspect.hpp"

namespace aup {
namespace {

bool applies(const Rule& rule, Direction direction) {
  switch (rule.applies_to) {
    case AppliesTo::any:
      return direction != Direction::inbound;
    case AppliesTo::outbound:
      return direction == Direction::outbound;
    case AppliesTo::internal:
      return direction == Direction::internal;
  }
  return false;
}

Match match_of(const Rule& rule, std::string scope, std::string detail) {
  return {rule.id, rule.policy_ref, rule.action, rule.mode, std::move(scope), std::move(detail)};
}

std::string located(const ScopeValue& value, std::string detail) {
  return value.where.empty() ? detail : fmt::format("{} in {}", detail, value.where);
}

// The first hit of the rule's pattern in its scope. A pattern that runs out of its PCRE2
// budget cannot be trusted to have said no: it yields the configured limit action.
std::optional<Match> evaluate_pattern(const Rule& rule, size_t rule_index, const Scope& scope,
                                      const EvalContext& context) {
  for (const ScopeValue& value : scope_values(scope, context)) {
    if (context.prefilter != nullptr && !context.prefilter->may_match(rule_index, value.text))
      continue;
    const MatchResult result = rule.pattern->search(value.text, context.scratch);
    if (result.outcome == MatchOutcome::match) {
      const std::string quoted = excerpt(value.text, result.begin, result.end);
      return match_of(rule, scope.name, located(value, fmt::format("\"{}\"", quoted)));
    }
    if (result.outcome != MatchOutcome::no_match) {
      Match limited = match_of(rule, scope.name,
                               located(value, "pattern could not be evaluated: " + result.error));
      limited.action = context.settings.on_regex_limit;
      return limited;
    }
  }
  return std::nullopt;
}

// A check that found nothing while one of its patterns could not run has not said no either.
std::optional<Match> evaluate_check(const Rule& rule, const EvalContext& context) {
  const size_t limits_before = context.scratch.limits_hit();
  if (auto detail = rule.check->evaluate(context))
    return match_of(rule, rule.check_name, std::move(*detail));
  if (context.scratch.limits_hit() == limits_before) return std::nullopt;
  Match limited = match_of(rule, rule.check_name,
                           "a pattern could not be evaluated: " + context.scratch.last_limit());
  limited.action = context.settings.on_regex_limit;
  return limited;
}

std::optional<Match> evaluate_rule(const Rule& rule, size_t rule_index,
                                   const EvalContext& context) {
  for (const Scope& scope : rule.scopes) {
    if (auto match = evaluate_pattern(rule, rule_index, scope, context)) return match;
  }
  if (rule.check) return evaluate_check(rule, context);
  return std::nullopt;
}

std::string joined_distinct(const std::vector<Match>& matches, std::string Match::*field) {
  return fmt::format("{}", fmt::join(distinct(matches, field), ", "));
}

// Tagged and quarantined mail carries the reasons, for the recipient's filters and reviewers.
std::vector<HeaderEdit> verdict_headers(const Settings& settings, Action action,
                                        const std::vector<Match>& enforced) {
  if (action != Action::tag && action != Action::quarantine) return {};
  const std::string& prefix = settings.header_prefix;
  return {{prefix + "Verdict", std::string(to_string(action))},
          {prefix + "Rules", joined_distinct(enforced, &Match::rule)},
          {prefix + "Clauses", joined_distinct(enforced, &Match::policy_ref)}};
}

const Rule* rule_by_id(const Policy& policy, const std::string& id) {
  for (const Rule& rule : policy.rules) {
    if (rule.id == id) return &rule;
  }
  return nullptr;
}

// The reply of the rule that decided; a match the engine made itself (the evaluation budget)
// has no rule, and is answered in the default form from its own clause and detail.
Reply reject_reply_for(const Policy& policy, const Match& decisive) {
  if (const Rule* rule = rule_by_id(policy, decisive.rule)) {
    return reject_reply(*rule, policy.settings, decisive.detail);
  }
  Rule engine_rule;
  engine_rule.id = decisive.rule;
  engine_rule.policy_ref = decisive.policy_ref;
  engine_rule.description = decisive.detail;
  return reject_reply(engine_rule, policy.settings, decisive.detail);
}

void decide(const Policy& policy, Verdict& verdict) {
  verdict.action = Action::accept;
  std::vector<Match> enforced;
  const Match* decisive = nullptr;
  for (const Match& match : verdict.matches) {
    if (match.mode != Mode::enforce || match.action == Action::accept) continue;
    enforced.push_back(match);
    if (decisive == nullptr || stronger(match.action, decisive->action)) decisive = &match;
  }
  if (decisive == nullptr) return;
  verdict.action = decisive->action;
  verdict.add_headers = verdict_headers(policy.settings, verdict.action, enforced);
  if (verdict.action == Action::reject) {
    verdict.reply = reject_reply_for(policy, *decisive);
  } else if (verdict.action == Action::tempfail) {
    verdict.reply = tempfail_reply(fmt::format("rule {}", decisive->rule));
  }
}

using Clock = std::chrono::steady_clock;

// A message that outlives its time budget cannot be trusted to have passed the rules not yet
// run: it gets the same outcome as a pattern that hit its limits.
Match budget_exhausted(const Settings& settings, size_t rules_left) {
  return {"evaluation-budget",
          "3.7",
          settings.on_regex_limit,
          Mode::enforce,
          "engine",
          fmt::format("evaluation stopped after {} ms with {} rules not run",
                      settings.evaluation_budget.count(), rules_left)};
}

Verdict evaluate_parsed(const Policy& policy, const Message& message, const mime::MimeView& view,
                        const Services& services, Clock::time_point deadline) {
  const EffectiveEnvelope envelope = effective_envelope(message.envelope, view);
  Verdict verdict;
  verdict.direction = classify_direction(envelope, policy.settings);
  verdict.action = Action::accept;
  if (verdict.direction == Direction::inbound) return verdict;  // inbound passes untouched
  EarlyFooter footer(policy.settings, message, view, verdict.direction, services.executor);
  MatchScratch scratch(policy.settings.regex);
  ScanState scan{services.scanner, message.raw, std::nullopt};
  SharedFindings shared;
  std::optional<PrefilterRun> prefilter;
  if (policy.prefilter) prefilter.emplace(*policy.prefilter);
  const EvalContext context{policy.settings,
                            view,
                            envelope,
                            verdict.direction,
                            scratch,
                            scan,
                            message.raw,
                            &shared,
                            prefilter ? &*prefilter : nullptr,
                            policy.prefilters_enabled};
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    const Rule& rule = policy.rules[i];
    if (!applies(rule, verdict.direction)) continue;
    if (Clock::now() > deadline) {
      verdict.matches.push_back(budget_exhausted(policy.settings, policy.rules.size() - i));
      break;
    }
    if (auto match = evaluate_rule(rule, i, context)) verdict.matches.push_back(std::move(*match));
  }
  decide(policy, verdict);
  footer.add_if_due(verdict);
  return verdict;
}

}  // namespace

Verdict internal_error_verdict(const Settings& settings, std::string_view reason) noexcept {
  Verdict verdict;
  verdict.action = settings.on_internal_error;
  try {
    if (verdict.action == Action::tempfail) verdict.reply = tempfail_reply(reason);
  } catch (...) {
  }
  return verdict;
}

namespace {

Verdict evaluate_until(const Policy& policy, const Message& message, const mime::MimeView& view,
                       const Services& services, Clock::time_point deadline) noexcept {
  try {
    return evaluate_parsed(policy, message, view, services, deadline);
  } catch (const std::exception& error) {
    return internal_error_verdict(policy.settings, error.what());
  } catch (...) {
    return internal_error_verdict(policy.settings, "unknown error");
  }
}

}  // namespace

// A message over daemon.max_message_bytes gets the size verdict, as in the daemon, which never
// has it whole: its rules are not run.
Verdict evaluate(const Policy& policy, const Message& message, const mime::MimeView& view,
                 const Services& services) noexcept {
  if (over_size_limit(policy.settings, message.raw.size())) return size_verdict(policy, message);
  return evaluate_until(policy, message, view, services,
                        Clock::now() + policy.settings.evaluation_budget);
}

Verdict evaluate(const Policy& policy, const Message& message, const Services& services) noexcept {
  if (over_size_limit(policy.settings, message.raw.size())) return size_verdict(policy, message);
  const auto deadline = Clock::now() + policy.settings.evaluation_budget;  // parsing counts
  try {
    mime::MimeView view = mime::parse_message(message.raw, policy.settings.mime);
    inspect::inspect_attachments(view, policy.settings.inspect,
                                 {services.executor, services.types});
    return evaluate_until(policy, message, view, services, deadline);
  } catch (...) {
    return internal_error_verdict(policy.settings, "message could not be parsed");
  }
}

}  // namespace aup
