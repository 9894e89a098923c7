// SMTP reply texts: built for rejects and tempfails, validated for rule authors.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/policy.hpp"
#include "engine/verdict.hpp"

namespace aup {

// Longest reply text we emit: libmilter allows 980 characters a line including the codes.
constexpr size_t kMaxReplyText = 900;

// Clause numbers as the policy writes them: "4.7.1", "3".
bool valid_policy_ref(const std::string& ref);

// "5xy 5.m.n": a permanent SMTP code with a matching enhanced status code (RFC 3463).
bool valid_reject_code(const std::string& code);

// nullopt when `text` is a valid reply line, else why not.
std::optional<std::string> reply_text_problem(std::string_view text);

// The 550 5.7.1 reply for a message rejected by `rule`: its reply text (with {policy_ref}
// {rule} and {detail} filled in) or a default, always naming the clause, plus the configured
// suffix. {detail} becomes the match's detail (e.g. the virus name), made safe for a reply line.
Reply reject_reply(const Rule& rule, const Settings& settings, std::string_view detail = "");

// The 451 4.7.1 reply when the engine could not decide.
Reply tempfail_reply(std::string_view reason);

}  // namespace aup
