// Identity checks (clause 4.7.3): anonymous and disposable services, senders the login does
// not own, and display names that show another address.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "engine/addresses.hpp"
#include "engine/checks/check_support.hpp"

namespace aup::checks {
namespace {

// One address to judge and where it came from, for the detail.
struct Labelled {
  std::string address;
  std::string_view where;
};

std::vector<Labelled> addresses_of(const EvalContext& context,
                                   const std::vector<std::string>& fields) {
  std::vector<Labelled> out;
  const auto wanted = [&](std::string_view field) {
    return std::find(fields.begin(), fields.end(), field) != fields.end();
  };
  if (wanted("envelope.sender") && !context.envelope.sender.empty()) {
    out.push_back({context.envelope.sender, "sender"});
  }
  if (wanted("envelope.rcpt")) {
    for (const auto& rcpt : context.envelope.recipients)
      out.push_back({rcpt, "recipient"});
  }
  if (wanted("from")) {
    for (const auto& mailbox : context.view.from)
      out.push_back({mailbox.address, "From"});
  }
  if (wanted("reply_to")) {
    for (const auto& mailbox : context.view.reply_to)
      out.push_back({mailbox.address, "Reply-To"});
  }
  return out;
}

// An address at a listed domain or one of its subdomains.
class DomainList final : public Check {
 public:
  DomainList(std::unordered_set<std::string> domains, std::vector<std::string> fields)
      : domains_(std::move(domains)), fields_(std::move(fields)) {}

  static std::unique_ptr<Check> make(const CheckParams& p) {
    if (!only_known_keys(p, {"file", "addresses"})) return nullptr;
    auto entries = list_file(p, "file");
    auto fields = string_list(p, "addresses", false);
    if (fields && fields->empty())
      *fields = {"envelope.sender", "envelope.rcpt", "from", "reply_to"};
    for (const std::string& field : fields.value_or(std::vector<std::string>{})) {
      if (field != "envelope.sender" && field != "envelope.rcpt" && field != "from" &&
          field != "reply_to") {
        p.errors.push_back(fmt::format(
            "\"addresses\": \"{}\" is not envelope.sender, envelope.rcpt, from or reply_to",
            field));
        return nullptr;
      }
    }
    if (!entries || !fields) return nullptr;
    return std::make_unique<DomainList>(
        std::unordered_set<std::string>(entries->begin(), entries->end()), std::move(*fields));
  }

  std::optional<std::string> evaluate(const EvalContext& context) const override {
    for (const Labelled& item : addresses_of(context, fields_)) {
      if (listed(domain_of(item.address))) {
        return fmt::format("{} {} is an anonymous or disposable mail service", item.where,
                           to_lower_ascii(bare_address(item.address)));
      }
    }
    return std::nullopt;
  }

 private:
  bool listed(std::string_view domain) const {
    while (!domain.empty()) {
      if (domains_.count(std::string(domain)) > 0) return true;
      const auto dot = domain.find('.');
      if (dot == std::string_view::npos) break;
      domain.remove_prefix(dot + 1);
    }
    return false;
  }
  std::unordered_set<std::string> domains_;
  std::vector<std::string> fields_;
};

// The login may send as login@ each internal domain, as itself when it is an address, and as
// what the mailbox map grants it.
bool owns(const EvalContext& context, const std::string& login, const std::string& address) {
  const auto& settings = context.settings;
  const std::string canonical = canonical_address(address, settings.recipient_delimiter);
  if (login.find('@') != std::string::npos) {
    if (canonical == canonical_address(login, settings.recipient_delimiter)) return true;
  } else if (local_part_of(canonical) == login &&
             domain_in(domain_of(canonical), settings.internal_domains)) {
    return true;
  }
  const auto granted = settings.mailboxes.find(login);
  return granted != settings.mailboxes.end() &&
         std::find(granted->second.begin(), granted->second.end(), canonical) !=
             granted->second.end();
}

// The envelope sender or a From address not owned by the authenticated login.
class SenderOwnership final : public Check {
 public:
  std::optional<std::string> evaluate(const EvalContext& context) const override {
    if (!context.envelope.auth_user || context.envelope.auth_user->empty()) return std::nullopt;
    const std::string login = to_lower_ascii(*context.envelope.auth_user);
    for (const Labelled& item : addresses_of(context, {"envelope.sender", "from"})) {
      if (!owns(context, login, item.address)) {
        return fmt::format("login {} may not send as {} ({})", login,
                           to_lower_ascii(bare_address(item.address)), item.where);
      }
    }
    return std::nullopt;
  }
};

bool is_address_token(std::string_view token) {
  const auto at = token.find('@');
  if (at == std::string_view::npos || at == 0) return false;
  const auto dot = token.find('.', at);
  return dot != std::string_view::npos && dot > at + 1 && dot + 1 < token.size();
}

// A From display name that holds an address other than the From address itself, the classic
// way to make a message look as if someone else sent it. A mailing list that rewrites From to
// its own address names the author openly instead ("'jane@example.org' via Group" from Google
// Groups, "jane@example.org via list" from Mailman): from an address outside the council that
// is list mail passed on, not a disguise. From a council address the rule still applies.
class DisplayNameAddress final : public Check {
 public:
  std::optional<std::string> evaluate(const EvalContext& context) const override {
    for (const auto& mailbox : context.view.from) {
      if (names_list_author(mailbox.display_name) &&
          !domain_in(domain_of(mailbox.address), context.settings.internal_domains)) {
        continue;
      }
      const std::string shown = other_address(mailbox.display_name, mailbox.address);
      if (!shown.empty()) {
        return fmt::format("From shows {} but is {}", shown, to_lower_ascii(mailbox.address));
      }
    }
    return std::nullopt;
  }

 private:
  // "ADDRESS via NAME", the address perhaps in quotes: the whole name, not a word in it.
  static bool names_list_author(const std::string& name) {
    const std::string lower = to_lower_ascii(name);
    const size_t via = lower.find(" via ");
    if (via == std::string::npos || via + 5 >= lower.size()) return false;
    std::string author = lower.substr(0, via);
    const auto quote = [](char c) { return c == '\'' || c == '"' || c == ' '; };
    while (!author.empty() && quote(author.front()))
      author.erase(author.begin());
    while (!author.empty() && quote(author.back()))
      author.pop_back();
    return is_address_token(author);
  }

  static std::string other_address(const std::string& name, const std::string& address) {
    constexpr std::string_view kSeparators = " \t\"'<>()[],;:";
    size_t start = 0;
    while (start < name.size()) {
      const size_t end = std::min(name.find_first_of(kSeparators, start), name.size());
      const std::string token = to_lower_ascii(std::string_view(name).substr(start, end - start));
      if (is_address_token(token) && token != to_lower_ascii(address)) return token;
      start = end + 1;
    }
    return "";
  }
};

}  // namespace

void add_identity_checks(Registry& registry) {
  registry.emplace("domain_list", DomainList::make);
  registry.emplace("sender_ownership", make_plain<SenderOwnership>);
  registry.emplace("display_name_address", make_plain<DisplayNameAddress>);
}

}  // namespace aup::checks
