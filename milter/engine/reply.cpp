// Reply construction; rule text is substituted literally, never used as a format string.
#include "engine/reply.hpp"

#include <fmt/format.h>

#include "engine/text_edit.hpp"

namespace aup {
namespace {

// Non-printable or non-ASCII characters cannot go on an SMTP reply line.
std::string printable_ascii(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    out.push_back(c >= 0x20 && c < 0x7f ? c : ' ');
  }
  if (out.size() > kMaxReplyText) out.resize(kMaxReplyText);
  return out;
}

}  // namespace

// Clause numbers as the policy writes them: "4.7.1", "3".
bool valid_policy_ref(const std::string& ref) {
  if (ref.empty() || ref.front() == '.' || ref.back() == '.') return false;
  return ref.find_first_not_of("0123456789.") == std::string::npos &&
         ref.find("..") == std::string::npos;
}

// "5xy 5.m.n": a permanent SMTP code with a matching enhanced status code (RFC 3463).
bool valid_reject_code(const std::string& code) {
  const auto digit = [&](size_t i) { return i < code.size() && code[i] >= '0' && code[i] <= '9'; };
  if (code.size() < 9 || code[0] != '5' || !digit(1) || !digit(2) || code[3] != ' ') return false;
  if (code[4] != '5' || code[5] != '.') return false;
  const auto dot = code.find('.', 6);
  if (dot == std::string::npos || dot == 6 || dot + 1 >= code.size()) return false;
  return code.find_first_not_of("0123456789", 6) == dot &&
         code.find_first_not_of("0123456789", dot + 1) == std::string::npos && dot - 6 <= 3 &&
         code.size() - dot - 1 <= 3;
}

std::optional<std::string> reply_text_problem(std::string_view text) {
  if (text.empty()) return "reply text is empty";
  if (text.size() > kMaxReplyText) {
    return fmt::format("reply text is {} characters; at most {} fit on an SMTP reply line",
                       text.size(), kMaxReplyText);
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r' || c == '\n') return fmt::format("reply text has a line break at offset {}", i);
    if (c < 0x20 || c >= 0x7f) {
      return fmt::format("reply text has a non-printable or non-ASCII byte at offset {}", i);
    }
  }
  return std::nullopt;
}

Reply reject_reply(const Rule& rule, const Settings& settings, std::string_view detail) {
  std::string text;
  if (rule.reply) {
    text = *rule.reply;
    replace_all(text, "{policy_ref}", rule.policy_ref);
    replace_all(text, "{rule}", rule.id);
    replace_all(text, "{detail}", printable_ascii(detail.substr(0, 200)));
  } else {
    text = fmt::format("Message refused under clause {} of the acceptable-use policy: {}",
                       rule.policy_ref, rule.description);
  }
  if (text.find(rule.policy_ref) == std::string::npos) {
    text = fmt::format("Policy clause {}: {}", rule.policy_ref, text);
  }
  if (!settings.reply_suffix.empty()) text += " " + settings.reply_suffix;
  return {rule.reply_code, rule.reply_xcode, printable_ascii(text)};
}

Reply tempfail_reply(std::string_view reason) {
  return {"451", "4.7.1",
          printable_ascii(
              fmt::format("Message could not be checked against the acceptable-use policy ({}); "
                          "please try again later",
                          reason))};
}

}  // namespace aup
