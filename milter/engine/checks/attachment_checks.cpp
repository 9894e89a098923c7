// Attachments in depth (clauses 3.2, 4.7.2, 4.8.1): executable content whatever its name,
// names and declared types that contradict the bytes, and content that cannot be inspected.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "engine/addresses.hpp"
#include "engine/checks/check_support.hpp"

namespace aup::checks {
namespace {

// "archive.zip/inner.zip: "tool.exe"", or the part's own name.
std::string where_is(const mime::Attachment& part) {
  const std::string name =
      part.filename.empty() ? "part " + part.path : "\"" + part.filename + "\"";
  return part.container.empty() ? name : fmt::format("{} in {}", name, part.container);
}

// "type" matches exactly; "prefix*" matches every type starting with the prefix.
bool type_listed(const std::vector<std::string>& types, const std::string& type) {
  return std::any_of(types.begin(), types.end(), [&](const std::string& listed) {
    if (!listed.empty() && listed.back() == '*') {
      return type.starts_with(std::string_view(listed).substr(0, listed.size() - 1));
    }
    return type == listed;
  });
}

// Program code by its bytes: a PE named report.txt is still a PE.
class ExecutableContent final : public Check {
 public:
  explicit ExecutableContent(std::vector<std::string> types) : types_(std::move(types)) {}

  static std::unique_ptr<Check> make(const CheckParams& p) {
    if (!only_known_keys(p, {"types"})) return nullptr;
    auto types = string_list(p, "types", true);
    if (!types) return nullptr;
    if (types->empty()) {
      p.errors.push_back("\"types\" must list at least one type");
      return nullptr;
    }
    return std::make_unique<ExecutableContent>(std::move(*types));
  }

  std::optional<std::string> evaluate(const EvalContext& context) const override {
    for (const auto& part : context.view.attachments) {
      if (type_listed(types_, part.true_type)) {
        return fmt::format("{} is {}", where_is(part), part.true_type);
      }
    }
    // Message text itself: only binaries. A script pasted into a message is words to read.
    for (const auto& part : context.view.text_parts) {
      if (!part.true_type.starts_with("text/") && type_listed(types_, part.true_type)) {
        return fmt::format("the inline {} part {} is {}", part.content_type, part.path,
                           part.true_type);
      }
    }
    return std::nullopt;
  }

 private:
  std::vector<std::string> types_;
};

std::string extension_of(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? "" : to_lower_ascii(std::string_view(name).substr(dot + 1));
}

std::string major_of(const std::string& type) {
  return type.substr(0, type.find('/'));
}

// What a name's extension promises, where that is clear.
std::optional<std::string> promised_major(const std::string& extension) {
  static const std::map<std::string, std::string, std::less<>> promises = {
      {"jpg", "image"}, {"jpeg", "image"},      {"png", "image"},  {"gif", "image"},
      {"bmp", "image"}, {"tif", "image"},       {"tiff", "image"}, {"txt", "text"},
      {"csv", "text"},  {"pdf", "application"}, {"mp3", "audio"},  {"wav", "audio"},
      {"mp4", "video"}, {"mov", "video"}};
  const auto found = promises.find(extension);
  if (found == promises.end()) return std::nullopt;
  return found->second;
}

// A declared type or extension whose kind (image, text, audio...) the bytes contradict.
class TypeMismatch final : public Check {
 public:
  std::optional<std::string> evaluate(const EvalContext& context) const override {
    for (const auto& part : context.view.attachments) {
      if (auto detail = mismatch(part)) return detail;
    }
    return std::nullopt;
  }

 private:
  static std::optional<std::string> mismatch(const mime::Attachment& part) {
    const std::string& truth = part.true_type;
    if (part.bytes.empty() || truth.empty() || truth == "application/octet-stream" ||
        truth == "application/x-empty" || truth.starts_with("inode/")) {
      return std::nullopt;  // libmagic does not know: nothing to contradict
    }
    const std::string& declared = part.content_type;
    const bool declared_specific =
        !declared.empty() && declared != "application/octet-stream" && declared != "message/rfc822";
    if (declared_specific && major_of(declared) != major_of(truth)) {
      return fmt::format("{} is declared {} but is {}", where_is(part), declared, truth);
    }
    const auto promise = promised_major(extension_of(part.filename));
    if (promise && *promise != major_of(truth)) {
      return fmt::format("{} is named .{} but is {}", where_is(part), extension_of(part.filename),
                         truth);
    }
    return std::nullopt;
  }
};

// Encrypted or unreadable archives and inspection limits: what cannot be checked for viruses
// cannot be let through unseen.
class Uninspectable final : public Check {
 public:
  std::optional<std::string> evaluate(const EvalContext& context) const override {
    const auto& reasons = context.view.uninspectable;
    if (reasons.empty()) return std::nullopt;
    return reasons.size() == 1
               ? reasons.front()
               : fmt::format("{} (and {} more)", reasons.front(), reasons.size() - 1);
  }
};

// Large files congest council systems (clause 3.7): per attachment and per message.
class SizeLimit final : public Check {
 public:
  SizeLimit(std::optional<size_t> attachment, std::optional<size_t> message)
      : max_attachment_(attachment), max_message_(message) {}

  static std::unique_ptr<Check> make(const CheckParams& p) {
    if (!only_known_keys(p, {"max_attachment_bytes", "max_message_bytes"})) return nullptr;
    std::optional<size_t> attachment, message;
    if (p.params.contains("max_attachment_bytes")) {
      attachment = count_param(p, "max_attachment_bytes", std::nullopt);
      if (!attachment) return nullptr;
    }
    if (p.params.contains("max_message_bytes")) {
      message = count_param(p, "max_message_bytes", std::nullopt);
      if (!message) return nullptr;
    }
    if (!attachment && !message) {
      p.errors.push_back("give max_attachment_bytes, max_message_bytes or both");
      return nullptr;
    }
    return std::make_unique<SizeLimit>(attachment, message);
  }

  std::optional<std::string> evaluate(const EvalContext& context) const override {
    if (max_message_ && context.raw_message.size() > *max_message_) {
      return fmt::format("the message is {} bytes (limit {})", context.raw_message.size(),
                         *max_message_);
    }
    for (const auto& part : context.view.attachments) {
      if (max_attachment_ && part.archive_depth == 0 && part.size > *max_attachment_) {
        return fmt::format("{} is {} bytes (limit {})", where_is(part), part.size,
                           *max_attachment_);
      }
    }
    return std::nullopt;
  }

 private:
  std::optional<size_t> max_attachment_;
  std::optional<size_t> max_message_;
};

}  // namespace

void add_attachment_checks(Registry& registry) {
  registry.emplace("executable_content", ExecutableContent::make);
  registry.emplace("type_mismatch", make_plain<TypeMismatch>);
  registry.emplace("uninspectable_content", make_plain<Uninspectable>);
  registry.emplace("size_limit", SizeLimit::make);
}

}  // namespace aup::checks
