// Scope names and how each maps onto the envelope and the MIME view.
#include "engine/scopes.hpp"

#include "engine/addresses.hpp"

namespace aup {
namespace {

constexpr std::string_view kHeaderPrefix = "header:";

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

bool valid_header_name(std::string_view name) {
  if (name.empty()) return false;
  for (const unsigned char c : name) {
    if (c <= 32 || c >= 127 || c == ':') return false;
  }
  return true;
}

// Names the attachment, so a reviewer sees which file a match came from.
std::string attachment_label(const std::string& path, std::string_view name) {
  if (name.empty()) return "attachment (part " + path + ")";
  return "attachment \"" + excerpt(name, 0, name.size()) + "\" (part " + path + ")";
}

}  // namespace

std::vector<std::string_view> scope_names() {
  return {"subject",         "header:Name",     "body",          "attachment.name",
          "attachment.type", "envelope.sender", "envelope.rcpt", "from"};
}

std::optional<Scope> parse_scope(std::string_view name) {
  static const std::pair<std::string_view, ScopeKind> kFixed[] = {
      {"subject", ScopeKind::subject},
      {"body", ScopeKind::body},
      {"attachment.name", ScopeKind::attachment_name},
      {"attachment.type", ScopeKind::attachment_type},
      {"envelope.sender", ScopeKind::envelope_sender},
      {"envelope.rcpt", ScopeKind::envelope_rcpt},
      {"from", ScopeKind::from}};
  for (const auto& [fixed, kind] : kFixed) {
    if (name == fixed) return Scope{kind, "", std::string(name)};
  }
  if (name.substr(0, kHeaderPrefix.size()) == kHeaderPrefix &&
      valid_header_name(name.substr(kHeaderPrefix.size()))) {
    return Scope{ScopeKind::header, std::string(name.substr(kHeaderPrefix.size())),
                 std::string(name)};
  }
  return std::nullopt;
}

std::vector<ScopeValue> scope_values(const Scope& scope, const EvalContext& context) {
  const auto& view = context.view;
  std::vector<ScopeValue> values;
  switch (scope.kind) {
    case ScopeKind::subject:
      // Every Subject field: readers differ on which of two they show.
      for (std::string_view value : view.header_values("Subject"))
        values.push_back({value, ""});
      break;
    case ScopeKind::header:
      for (std::string_view value : view.header_values(scope.header_name)) {
        values.push_back({value, ""});
      }
      break;
    case ScopeKind::body:
      for (const auto& part : view.text_parts) {
        values.push_back({part.text, part.attached ? attachment_label(part.path, part.filename)
                                                   : "part " + part.path});
      }
      break;
    case ScopeKind::attachment_name:
      // Every name a reader might save the part as, not just the one GMime prefers.
      for (const auto& part : view.attachments) {
        for (const std::string& name : part.names)
          values.push_back({name, attachment_label(part.path, name)});
      }
      break;
    case ScopeKind::attachment_type:
      for (const auto& part : view.attachments) {
        values.push_back({part.content_type, attachment_label(part.path, part.filename)});
      }
      break;
    case ScopeKind::envelope_sender:
      values.push_back({context.envelope.sender, ""});
      break;
    case ScopeKind::envelope_rcpt:
      for (const auto& rcpt : context.envelope.recipients)
        values.push_back({rcpt, ""});
      break;
    case ScopeKind::from:
      values.push_back({view.from_header, ""});
      break;
  }
  return values;
}

std::string excerpt(std::string_view text, size_t begin, size_t end, size_t max_bytes) {
  begin = std::min(begin, text.size());
  end = std::min(std::max(end, begin), text.size());
  if (end - begin > max_bytes) end = begin + max_bytes;
  while (end < text.size() && end > begin &&
         is_continuation(static_cast<unsigned char>(text[end]))) {
    --end;
  }
  std::string out(text.substr(begin, end - begin));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

}  // namespace aup
