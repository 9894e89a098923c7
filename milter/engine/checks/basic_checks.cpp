// Recipient and structure checks: counts, restricted addresses, mailing lists, empty subjects,
// malformed MIME (clauses 3.4, 4.4, 4.6.1, 4.7.1).
#include <fmt/format.h>

#include <algorithm>

#include "engine/addresses.hpp"
#include "engine/checks/check_support.hpp"

namespace aup::checks {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// The envelope sender, or the login's own address, is one of `senders`.
bool sender_in(const EvalContext& context, const std::vector<std::string>& senders) {
  return contains(senders,
                  canonical_address(context.envelope.sender, context.settings.recipient_delimiter));
}

// Counts recipients of one kind and fires above a threshold (clauses 3.4, 4.4, 4.6.1). With
// `exempt_all_staff_senders`, those authorised to write to all staff may exceed it.
class RecipientCount final : public Check {
 public:
  enum class Kind { all, external, internal, cc };
  RecipientCount(Kind kind, size_t more_than, bool exempt)
      : kind_(kind), more_than_(more_than), exempt_all_staff_senders_(exempt) {}

  static std::unique_ptr<Check> make(const CheckParams& p) {
    if (!only_known_keys(p, {"count", "more_than", "exempt_all_staff_senders"})) return nullptr;
    static const std::map<std::string, Kind, std::less<>> kinds = {{"all", Kind::all},
                                                                   {"external", Kind::external},
                                                                   {"internal", Kind::internal},
                                                                   {"cc", Kind::cc}};
    const auto kind = kinds.find(p.params.value("count", std::string("all")));
    if (kind == kinds.end()) p.errors.push_back("\"count\" must be all, external, internal or cc");
    const auto limit = count_param(p, "more_than", std::nullopt);
    const auto exempt = p.params.value("exempt_all_staff_senders", Json(false));
    if (!exempt.is_boolean()) p.errors.push_back("\"exempt_all_staff_senders\" is true or false");
    if (kind == kinds.end() || !limit || !exempt.is_boolean()) return nullptr;
    return std::make_unique<RecipientCount>(kind->second, *limit, exempt.get<bool>());
  }

  std::optional<std::string> evaluate(const EvalContext& context) const override {
    const size_t count = counted(context);
    if (count <= more_than_) return std::nullopt;
    if (exempt_all_staff_senders_ &&
        sender_in(context, context.settings.all_staff.authorised_senders)) {
      return std::nullopt;
    }
    return fmt::format("{} {} recipients (limit {})", count, label(), more_than_);
  }

 private:
  size_t counted(const EvalContext& context) const {
    if (kind_ == Kind::cc) return context.view.cc.size();
    const auto& internal = context.settings.internal_domains;
    const auto& rcpts = context.envelope.recipients;
    return static_cast<size_t>(std::count_if(rcpts.begin(), rcpts.end(), [&](const auto& rcpt) {
      return kind_ == Kind::all ||
             domain_in(domain_of(rcpt), internal) == (kind_ == Kind::internal);
    }));
  }

  std::string_view label() const {
    switch (kind_) {
      case Kind::all:
        return "envelope";
      case Kind::external:
        return "external";
      case Kind::internal:
        return "internal";
      case Kind::cc:
        return "Cc";
    }
    return "";
  }

  Kind kind_;
  size_t more_than_;
  bool exempt_all_staff_senders_;
};

// A subject that is missing or only white space (clause 4.6.1 advice).
class EmptySubject final : public Check {
 public:
  std::optional<std::string> evaluate(const EvalContext& context) const override {
    if (context.view.subject.find_first_not_of(" \t\r\n") != std::string::npos) return std::nullopt;
    return "the subject is empty";
  }
};

// MIME structure another reader could interpret differently, or limits hit while walking it.
class MalformedMime final : public Check {
 public:
  std::optional<std::string> evaluate(const EvalContext& context) const override {
    const auto& view = context.view;
    if (!view.malformed && !view.limit_exceeded) return std::nullopt;
    return view.problems.empty() ? "malformed MIME" : "malformed MIME: " + view.problems.front();
  }
};

// Recipients that only some senders may use (clause 4.4). Without parameters: the all-staff
// addresses and authorised senders of the settings.
class RestrictedRecipient final : public Check {
 public:
  RestrictedRecipient(std::vector<std::string> addresses, std::vector<std::string> senders)
      : addresses_(std::move(addresses)), allowed_senders_(std::move(senders)) {}

  static std::unique_ptr<Check> make(const CheckParams& p) {
    if (!only_known_keys(p, {"addresses", "allowed_senders"})) return nullptr;
    auto addresses = string_list(p, "addresses", true);
    auto senders = string_list(p, "allowed_senders", true);
    if (!addresses || !senders) return nullptr;
    return std::make_unique<RestrictedRecipient>(std::move(*addresses), std::move(*senders));
  }

  std::optional<std::string> evaluate(const EvalContext& context) const override {
    const bool from_settings = addresses_.empty();
    const auto& addresses = from_settings ? context.settings.all_staff.addresses : addresses_;
    const auto& allowed =
        from_settings ? context.settings.all_staff.authorised_senders : allowed_senders_;
    if (sender_in(context, allowed)) return std::nullopt;
    const std::string& delimiter = context.settings.recipient_delimiter;
    for (const std::string& rcpt : context.envelope.recipients) {
      if (contains(addresses, canonical_address(rcpt, delimiter))) {
        const std::string sender = to_lower_ascii(context.envelope.sender);
        return fmt::format("{} may not send to {}", sender.empty() ? "<>" : sender,
                           to_lower_ascii(bare_address(rcpt)));
      }
    }
    return std::nullopt;
  }

 private:
  std::vector<std::string> addresses_;
  std::vector<std::string> allowed_senders_;
};

// More than `more_than` recipients that are mailing lists (clauses 3.4, 4.7.1), recognised by
// patterns over the recipient address.
class MailingListRecipients final : public Check {
 public:
  MailingListRecipients(std::vector<std::shared_ptr<const Regex>> patterns, size_t more_than)
      : patterns_(std::move(patterns)), more_than_(more_than) {}

  static std::unique_ptr<Check> make(const CheckParams& p) {
    if (!only_known_keys(p, {"list_patterns", "more_than"})) return nullptr;
    const auto limit = count_param(p, "more_than", 1);
    const auto found = p.params.find("list_patterns");
    if (found == p.params.end() || !found->is_array() || found->empty()) {
      p.errors.push_back("\"list_patterns\" must be a non-empty array of patterns");
      return nullptr;
    }
    std::vector<std::shared_ptr<const Regex>> patterns;
    for (size_t i = 0; i < found->size(); ++i) {
      patterns.push_back(pattern_param(p, (*found)[i], fmt::format("list_patterns[{}]", i)));
    }
    if (!limit || std::count(patterns.begin(), patterns.end(), nullptr) > 0) return nullptr;
    return std::make_unique<MailingListRecipients>(std::move(patterns), *limit);
  }

  std::optional<std::string> evaluate(const EvalContext& context) const override {
    std::vector<std::string> lists;
    for (const std::string& rcpt : context.envelope.recipients) {
      if (is_list(rcpt, context.scratch)) lists.push_back(to_lower_ascii(rcpt));
    }
    if (lists.size() <= more_than_) return std::nullopt;
    return fmt::format("{} mailing lists: {}", lists.size(), fmt::join(lists, ", "));
  }

 private:
  bool is_list(const std::string& rcpt, MatchScratch& scratch) const {
    return std::any_of(patterns_.begin(), patterns_.end(), [&](const auto& pattern) {
      return pattern->search(rcpt, scratch).outcome == MatchOutcome::match;
    });
  }
  std::vector<std::shared_ptr<const Regex>> patterns_;
  size_t more_than_;
};

}  // namespace

void add_basic_checks(Registry& registry) {
  registry.emplace("recipient_count", RecipientCount::make);
  registry.emplace("empty_subject", make_plain<EmptySubject>);
  registry.emplace("malformed_mime", make_plain<MalformedMime>);
  registry.emplace("restricted_recipient", RestrictedRecipient::make);
  registry.emplace("mailing_list_recipients", MailingListRecipients::make);
}

}  // namespace aup::checks
