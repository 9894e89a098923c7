// The built-in checks and their registry. Each validates its parameters when the policy loads.
#include "engine/checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>

#include "engine/addresses.hpp"

namespace aup {
namespace {

using Json = nlohmann::json;
using Factory = std::function<std::unique_ptr<Check>(const Json&, std::vector<std::string>&)>;

bool only_known_keys(const Json& params, std::initializer_list<std::string_view> known,
                     std::vector<std::string>& errors) {
  bool ok = true;
  for (const auto& [key, value] : params.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      errors.push_back(fmt::format("unknown parameter \"{}\"", key));
      ok = false;
    }
  }
  return ok;
}

std::optional<std::vector<std::string>> address_list(const Json& params, const char* key,
                                                     std::vector<std::string>& errors) {
  const auto found = params.find(key);
  if (found == params.end()) return std::vector<std::string>{};
  std::vector<std::string> out;
  if (found->is_array()) {
    for (const Json& item : *found) {
      if (!item.is_string()) break;
      out.push_back(to_lower_ascii(item.get<std::string>()));
    }
    if (out.size() == found->size()) return out;
  }
  errors.push_back(fmt::format("parameter \"{}\" must be an array of strings", key));
  return std::nullopt;
}

// Counts recipients of one kind and fires above a threshold (clauses 3.4, 4.4, 4.6.1).
class RecipientCount final : public Check {
 public:
  enum class Kind { all, external, internal, cc };
  RecipientCount(Kind kind, size_t more_than) : kind_(kind), more_than_(more_than) {}

  static std::unique_ptr<Check> make(const Json& params, std::vector<std::string>& errors) {
    if (!only_known_keys(params, {"count", "more_than"}, errors)) return nullptr;
    static const std::map<std::string, Kind, std::less<>> kinds = {{"all", Kind::all},
                                                                   {"external", Kind::external},
                                                                   {"internal", Kind::internal},
                                                                   {"cc", Kind::cc}};
    const auto kind = kinds.find(params.value("count", std::string("all")));
    const auto limit = params.find("more_than");
    if (kind == kinds.end()) errors.push_back("\"count\" must be all, external, internal or cc");
    if (limit == params.end() || !limit->is_number_unsigned()) {
      errors.push_back("\"more_than\" must be a non-negative integer");
    }
    if (kind == kinds.end() || limit == params.end() || !limit->is_number_unsigned()) {
      return nullptr;
    }
    return std::make_unique<RecipientCount>(kind->second, limit->get<size_t>());
  }

  std::optional<std::string> evaluate(const EvalContext& context) const override {
    const size_t count = counted(context);
    if (count <= more_than_) return std::nullopt;
    return fmt::format("{} {} recipients (limit {})", count, label(), more_than_);
  }

 private:
  size_t counted(const EvalContext& context) const {
    if (kind_ == Kind::cc) return context.view.cc.size();
    const auto& internal = context.settings.internal_domains;
    return static_cast<size_t>(
        std::count_if(context.envelope.recipients.begin(), context.envelope.recipients.end(),
                      [&](const std::string& rcpt) {
                        if (kind_ == Kind::all) return true;
                        return domain_in(domain_of(rcpt), internal) == (kind_ == Kind::internal);
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
};

// A subject that is missing or only white space (clause 4.6.1 advice).
class EmptySubject final : public Check {
 public:
  static std::unique_ptr<Check> make(const Json& params, std::vector<std::string>& errors) {
    if (!only_known_keys(params, {}, errors)) return nullptr;
    return std::make_unique<EmptySubject>();
  }
  std::optional<std::string> evaluate(const EvalContext& context) const override {
    const auto& subject = context.view.subject;
    if (subject.find_first_not_of(" \t\r\n") != std::string::npos) return std::nullopt;
    return "the subject is empty";
  }
};

// MIME structure another reader could interpret differently, or limits hit while walking it.
class MalformedMime final : public Check {
 public:
  static std::unique_ptr<Check> make(const Json& params, std::vector<std::string>& errors) {
    if (!only_known_keys(params, {}, errors)) return nullptr;
    return std::make_unique<MalformedMime>();
  }
  std::optional<std::string> evaluate(const EvalContext& context) const override {
    const auto& view = context.view;
    if (!view.malformed && !view.limit_exceeded) return std::nullopt;
    return view.problems.empty() ? "malformed MIME" : "malformed MIME: " + view.problems.front();
  }
};

// Recipients that only some senders may use, such as an all-staff list (clause 4.4).
class RestrictedRecipient final : public Check {
 public:
  RestrictedRecipient(std::vector<std::string> addresses, std::vector<std::string> senders)
      : addresses_(std::move(addresses)), allowed_senders_(std::move(senders)) {}

  static std::unique_ptr<Check> make(const Json& params, std::vector<std::string>& errors) {
    if (!only_known_keys(params, {"addresses", "allowed_senders"}, errors)) return nullptr;
    auto addresses = address_list(params, "addresses", errors);
    auto senders = address_list(params, "allowed_senders", errors);
    // Listed addresses are compared whole; sub-addresses of the mail are stripped at match time.
    if (!addresses || !senders) return nullptr;
    if (addresses->empty()) {
      errors.push_back("\"addresses\" must list at least one address");
      return nullptr;
    }
    return std::make_unique<RestrictedRecipient>(std::move(*addresses), std::move(*senders));
  }

  std::optional<std::string> evaluate(const EvalContext& context) const override {
    const std::string& delimiter = context.settings.recipient_delimiter;
    const std::string sender = canonical_address(context.envelope.sender, delimiter);
    if (contains(allowed_senders_, sender)) return std::nullopt;
    for (const std::string& rcpt : context.envelope.recipients) {
      if (contains(addresses_, canonical_address(rcpt, delimiter))) {
        return fmt::format("{} may not send to {}", sender.empty() ? "<>" : sender,
                           to_lower_ascii(bare_address(rcpt)));
      }
    }
    return std::nullopt;
  }

 private:
  static bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  }
  std::vector<std::string> addresses_;
  std::vector<std::string> allowed_senders_;
};

const std::map<std::string, Factory, std::less<>>& registry() {
  static const std::map<std::string, Factory, std::less<>> factories = {
      {"recipient_count", RecipientCount::make},
      {"empty_subject", EmptySubject::make},
      {"malformed_mime", MalformedMime::make},
      {"restricted_recipient", RestrictedRecipient::make},
  };
  return factories;
}

}  // namespace

std::unique_ptr<Check> make_check(std::string_view name, const Json& params,
                                  std::vector<std::string>& errors) {
  const auto found = registry().find(name);
  if (found == registry().end()) {
    errors.push_back(fmt::format("unknown check \"{}\"", name));
    return nullptr;
  }
  if (!params.is_object()) {
    errors.push_back("\"params\" must be an object");
    return nullptr;
  }
  return found->second(params, errors);
}

std::vector<std::string_view> check_names() {
  std::vector<std::string_view> names;
  for (const auto& entry : registry())
    names.push_back(entry.first);
  return names;
}

}  // namespace aup
