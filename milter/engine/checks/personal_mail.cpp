// The author's text is the first text of the message itself, cut at quoted replies,
// forwarded originals and the corporate footer.
#include "engine/checks/personal_mail.hpp"

#include <glib.h>

#include <algorithm>
#include <functional>

#include "engine/text_edit.hpp"

namespace aup::checks {
namespace {

constexpr size_t kLeadingLines = 5;
constexpr size_t kTrailingLines = 10;

// The pieces of the statement: its sentences and "and"-joined clauses. Any one of them in a
// message makes it personal.
std::vector<std::string> fragments_of(std::string_view statement) {
  std::vector<std::string> pieces;
  size_t start = 0;
  while (start <= statement.size()) {
    const size_t sentence = std::min(statement.find(". ", start), statement.size());
    const size_t clause = std::min(statement.find(" and ", start), statement.size());
    const size_t end = std::min(sentence, clause);
    std::string piece = normalise_statement_text(statement.substr(start, end - start));
    if (piece.size() >= 12) pieces.push_back(std::move(piece));
    start = end + (end == clause && clause < sentence ? 5 : 2);
  }
  return pieces;
}

const mime::TextPart* author_part(const mime::MimeView& view) {
  const mime::TextPart* chosen = nullptr;
  for (const auto& part : view.text_parts) {
    if (part.attached || part.message_depth > 0) continue;
    if (chosen == nullptr ||
        (chosen->content_type != "text/plain" && part.content_type == "text/plain")) {
      chosen = &part;
    }
  }
  return chosen;
}

bool starts_reply_material(const std::string& line) {
  const std::string lowered = normalise_statement_text(line);
  return lowered.starts_with("-----original message") ||
         lowered.starts_with("---------- forwarded message") ||
         lowered.starts_with("begin forwarded message") ||
         (lowered.starts_with("on ") && lowered.ends_with(" wrote"));
}

// Non-empty lines of the author's own text.
std::vector<std::string> author_lines(const mime::TextPart& part,
                                      const std::vector<std::string>& footer_markers) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= part.text.size()) {
    const size_t end = std::min(part.text.find('\n', start), part.text.size());
    const std::string line = part.text.substr(start, end - start);
    start = end + 1;
    const auto first = line.find_first_not_of(" \t\r\xc2\xa0");
    if (first == std::string::npos) continue;
    if (line[first] == '>') continue;
    if (starts_reply_material(line)) break;
    const bool footer = std::any_of(footer_markers.begin(), footer_markers.end(),
                                    [&](const std::string& m) { return line.find(m) == first; });
    if (footer) break;
    lines.push_back(line);
  }
  return lines;
}

// Where the whole statement stands among `lines`, when it is outside the allowed places.
std::optional<std::string> misplacement(const std::vector<std::string>& lines,
                                        const std::string& statement) {
  std::string joined;
  std::vector<size_t> line_starts;
  for (const std::string& line : lines) {
    line_starts.push_back(joined.size());
    joined += normalise_statement_text(line) + " ";
  }
  const size_t at = joined.find(statement);
  if (at == std::string::npos) return "the statement is not in the author's own text";
  const auto line_of = [&](size_t offset) {
    return static_cast<size_t>(std::upper_bound(line_starts.begin(), line_starts.end(), offset) -
                               line_starts.begin());  // 1-based
  };
  const size_t first = line_of(at);
  const size_t last = line_of(at + statement.size() - 1);
  if (first <= kLeadingLines || last + kTrailingLines > lines.size()) return std::nullopt;
  return "the statement starts on line " + std::to_string(first) + " of " +
         std::to_string(lines.size()) + "; put it in the first 5 or the last 10 lines";
}

}  // namespace

namespace {

// Unicode case folding, character by character: ASCII directly, each run of other characters
// by GLib (a folded character can be ASCII, the Kelvin sign's "k", so runs are not skipped).
std::string fold_case(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const auto c = static_cast<unsigned char>(text[at]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
      ++at;
      continue;
    }
    size_t end = at;
    while (end < text.size() && static_cast<unsigned char>(text[end]) >= 0x80)
      ++end;
    gchar* folded = g_utf8_casefold(text.data() + at, static_cast<gssize>(end - at));
    if (folded != nullptr) out += folded;
    g_free(folded);
    at = end;
  }
  return out;
}

// Typographic quotes (U+2018 to U+201E) are dropped like straight ones.
bool is_curly_quote(std::string_view text, size_t at) {
  return text.size() >= at + 3 && text[at] == '\xe2' && text[at + 1] == '\x80' &&
         static_cast<unsigned char>(text[at + 2]) >= 0x98 &&
         static_cast<unsigned char>(text[at + 2]) <= 0x9e;
}

// Boyer-Moore-Horspool: a plain find stops at every letter the phrase starts with.
bool contains(std::string_view text, std::string_view phrase) {
  if (phrase.empty()) return true;
  return std::search(text.begin(), text.end(),
                     std::boyer_moore_horspool_searcher(phrase.begin(), phrase.end())) !=
         text.end();
}

bool is_dropped_punctuation(char c) {
  switch (c) {
    case '"':
    case '\'':
    case '.':
    case ',':
    case ';':
    case ':':
    case '!':
    case '?':
      return true;
    default:
      return false;
  }
}

}  // namespace

// One pass after folding: quotes and punctuation dropped, no-break spaces and runs of white
// space made one space.
std::string normalise_statement_text(std::string_view text) {
  const std::string lowered = fold_case(text);
  std::string out;
  out.reserve(lowered.size());
  for (size_t at = 0; at < lowered.size();) {
    if (is_curly_quote(lowered, at)) {
      at += 3;
      continue;
    }
    const char c = lowered[at];
    const bool nbsp = c == '\xc2' && at + 1 < lowered.size() && lowered[at + 1] == '\xa0';
    at += nbsp ? 2 : 1;
    if (is_dropped_punctuation(c)) continue;
    const bool space = nbsp || c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  replace_all(out, "e-mail", "email");
  replace_all(out, "e mail", "email");
  replace_all(out, "authorized", "authorised");
  return out;
}

PersonalFinding find_personal(const EvalContext& context) {
  // Three checks ask for the same finding; normalising the whole text is the costly part.
  if (context.shared != nullptr && context.shared->personal) return *context.shared->personal;
  PersonalFinding finding = find_personal_uncached(context);
  if (context.shared != nullptr) {
    context.shared->personal = std::make_shared<const PersonalFinding>(finding);
  }
  return finding;
}

PersonalFinding find_personal_uncached(const EvalContext& context) {
  const auto& personal = context.settings.personal;
  PersonalFinding finding;
  const std::string subject = normalise_statement_text(context.view.subject);
  for (const std::string& tag : personal.subject_tags) {
    const std::string wanted = normalise_statement_text(tag);
    if (!wanted.empty() && subject.find(wanted) != std::string::npos) {
      finding = {true, "subject tag " + tag, false, std::nullopt};
    }
  }
  const mime::TextPart* part = author_part(context.view);
  if (part == nullptr) return finding;
  const std::string statement = normalise_statement_text(personal.statement);
  const std::string text = normalise_statement_text(part->text);
  finding.whole_statement = contains(text, statement);
  for (const std::string& fragment : fragments_of(personal.statement)) {
    if (!finding.personal && contains(text, fragment)) {
      finding.personal = true;
      finding.why = "part of the statement (\"" + fragment + "\")";
    }
  }
  if (finding.whole_statement) {
    finding.personal = true;
    if (finding.why.empty()) finding.why = "the statement of clause 4.2";
    finding.misplaced = misplacement(author_lines(*part, personal.footer_markers), statement);
  }
  return finding;
}

}  // namespace aup::checks
