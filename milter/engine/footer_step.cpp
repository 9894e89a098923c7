#include "engine/footer_step.hpp"

#include <fmt/format.h>

#include "engine/evaluate.hpp"

namespace aup {
namespace {

// UTF-8 to numeric character references for everything outside ASCII.
std::string ascii_html(std::string_view utf8) {
  std::string out;
  for (size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    const size_t length = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (length == 1 || i + length > utf8.size()) {
      out.push_back(c < 0x80 ? static_cast<char>(c) : '?');
      ++i;
      continue;
    }
    unsigned code_point = c & (0xFFu >> (length + 1));
    for (size_t k = 1; k < length; ++k) {
      code_point = (code_point << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3Fu);
    }
    out += fmt::format("&#{};", code_point);
    i += length;
  }
  return out;
}

std::string escaped_lines(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\r':
        break;
      case '\n':
        out += "<br>\n";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

bool cannot_be_changed(mime::FooterOutcome outcome) {
  return outcome == mime::FooterOutcome::signed_or_encrypted ||
         outcome == mime::FooterOutcome::dkim_signed;
}

}  // namespace

std::string footer_html(const FooterSettings& footer) {
  if (!footer.html.empty()) return ascii_html(footer.html);
  return ascii_html(
      fmt::format("<p class=\"aup-footer\" style=\"font-size:smaller;color:#555555\">{}</p>",
                  escaped_lines(footer.text)));
}

EarlyFooter::EarlyFooter(const Settings& settings, const Message& message,
                         const mime::MimeView& view, Direction direction,
                         inspect::Executor& executor)
    : settings_(settings),
      work_(executor, settings.footer.enabled && direction == Direction::outbound ? 1 : 0,
            [this, &message, &view](size_t) {
              try {
                const FooterSettings& footer = settings_.footer;
                edit_ = mime::add_footer(message.raw,
                                         {footer.text, footer_html(footer), footer.marker}, &view);
              } catch (...) {
                failed_ = true;  // out of memory: reported when the footer is wanted
              }
            }) {}

void EarlyFooter::add_if_due(Verdict& verdict) {
  const FooterSettings& footer = settings_.footer;
  if (!footer.enabled || verdict.direction != Direction::outbound ||
      (verdict.action != Action::accept && verdict.action != Action::tag)) {
    work_.cancel();  // not worked out here if no worker has begun it
    return;
  }
  work_.finish();
  if (failed_ || !edit_) {
    // As for any error inside evaluation: the configured internal-error verdict, not mail
    // delivered without the footer the policy asks for.
    verdict = internal_error_verdict(settings_, "the footer could not be worked out");
    return;
  }
  mime::FooterEdit& edit = *edit_;
  verdict.footer = FooterReport{std::string(mime::to_string(edit.outcome)), edit.parts};
  if (edit.outcome == mime::FooterOutcome::added) {
    BodyEdit body{std::move(edit.body), {}};
    for (const mime::FieldChange& change : edit.header_changes) {
      body.set_headers.push_back({change.name, change.value, change.present});
    }
    verdict.body_edit = std::move(body);
  } else if (footer.tag_when_omitted && cannot_be_changed(edit.outcome)) {
    verdict.add_headers.push_back(
        {settings_.header_prefix + "Footer", "omitted; " + verdict.footer->outcome});
  }
}

}  // namespace aup
