// The size verdict and its configuration. The reply text is the policy's (rules/aup.json);
// without one the reply only states the limit, which is a fact, not policy.
#include "engine/size_limit.hpp"

#include <fmt/format.h>

#include "engine/direction.hpp"
#include "engine/evaluate.hpp"
#include "engine/reply.hpp"
#include "engine/text_edit.hpp"
#include "mime/header_block.hpp"

namespace aup {
namespace {

// The match that names where the decision came from, like a rule's.
constexpr const char* kSizeRule = "max-message-bytes";

Reply over_limit_reply(const Settings& settings) {
  const OverLimit& over = settings.size_limit.over_limit;
  const std::string limit = std::to_string(settings.size_limit.max_message_bytes);
  std::string text = over.reply.empty() ? "Message larger than {limit} bytes" : over.reply;
  replace_all(text, "{limit}", limit);
  replace_all(text, "{policy_ref}", over.policy_ref);
  if (!over.policy_ref.empty() && text.find(over.policy_ref) == std::string::npos) {
    text = fmt::format("Policy clause {}: {}", over.policy_ref, text);
  }
  if (!settings.reply_suffix.empty()) text += " " + settings.reply_suffix;
  if (text.size() > kMaxReplyText) text.resize(kMaxReplyText);
  if (over.action == Action::tempfail) return {"452", "4.3.1", text};
  return {over.reply_code, over.reply_xcode, text};
}

Verdict size_verdict_of(const Policy& policy, const Message& message) {
  const Settings& settings = policy.settings;
  // Only the header block: the direction needs From, To and Cc when the envelope lacks them.
  const std::string_view raw(message.raw);
  const mime::MimeView headers =
      mime::parse_message(raw.substr(0, mime::body_offset(raw)), settings.mime);
  Verdict verdict;
  verdict.direction = classify_direction(effective_envelope(message.envelope, headers), settings);
  verdict.action = Action::accept;
  if (verdict.direction == Direction::inbound) return verdict;
  const OverLimit& over = settings.size_limit.over_limit;
  verdict.action = over.action;
  verdict.matches.push_back({kSizeRule, over.policy_ref, over.action, Mode::enforce, "message",
                             fmt::format("more than {} bytes (daemon.max_message_bytes)",
                                         settings.size_limit.max_message_bytes)});
  verdict.reply = over_limit_reply(settings);
  return verdict;
}

}  // namespace

bool over_size_limit(const Settings& settings, size_t bytes) {
  return bytes > settings.size_limit.max_message_bytes;
}

Verdict size_verdict(const Policy& policy, const Message& message) noexcept {
  try {
    return size_verdict_of(policy, message);
  } catch (const std::exception& error) {
    return internal_error_verdict(policy.settings, error.what());
  } catch (...) {
    return internal_error_verdict(policy.settings, "size verdict failed");
  }
}

void read_over_limit(const SourceFile& file, const std::string& pointer, DiagnosticSink& sink,
                     OverLimit& out) {
  const nlohmann::json& over = file.json.at(nlohmann::json::json_pointer(pointer));
  const auto text = [&](const char* key) -> const std::string* {
    const auto found = over.find(key);
    if (found == over.end()) return nullptr;
    if (found->is_string()) return found->get_ptr<const std::string*>();
    sink.error(file, pointer + "/" + key, "", "must be a string");
    return nullptr;
  };
  if (const auto* name = text("action")) {
    const auto action = parse_action(*name);
    if (action == Action::reject || action == Action::tempfail) {
      out.action = *action;
    } else {
      sink.error(file, pointer + "/action", "",
                 "is \"reject\" or \"tempfail\": a message "
                 "that was not collected can be neither held "
                 "nor passed as inspected");
    }
  }
  if (const auto* ref = text("policy_ref")) {
    if (!valid_policy_ref(*ref))
      sink.error(file, pointer + "/policy_ref", "", "must be a clause number such as \"3.7\"");
    out.policy_ref = *ref;
  }
  if (const auto* code = text("reply_code")) {
    if (!valid_reject_code(*code)) {
      sink.error(file, pointer + "/reply_code", "",
                 fmt::format("\"{}\" is not a permanent reply code such as \"552 5.3.4\"", *code));
    } else {
      out.reply_code = code->substr(0, 3);
      out.reply_xcode = code->substr(4);
    }
  }
  if (const auto* reply = text("reply")) {
    if (auto problem = reply_text_problem(*reply))
      sink.error(file, pointer + "/reply", "", *problem);
    out.reply = *reply;
  }
}

}  // namespace aup
