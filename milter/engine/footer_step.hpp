// The corporate footer as a step of evaluation: due on outbound mail that is accepted or
// tagged (never on rejected or quarantined mail), computed by the MIME footer module, and
// reported in the verdict with the body edit that the daemon applies.
#pragma once

#include <optional>

#include "engine/message.hpp"
#include "engine/settings.hpp"
#include "engine/verdict.hpp"
#include "inspect/parallel.hpp"
#include "mime/footer.hpp"
#include "mime/mime_view.hpp"

namespace aup {

// The footer worked out beside the rules, on another core when the executor has an idle
// worker (with the sequential executor, only once the verdict wants it): it does not
// depend on their outcome, and most outbound mail is accepted and gets it. Begun when the
// footer is enabled and the mail is outbound; when the verdict does not want it, dropped if
// no worker has begun it and thrown away if one has.
// `message` and `view` (the message as parsed for the rules, whose HTML text is reused) must
// outlive this object.
class EarlyFooter {
 public:
  EarlyFooter(const Settings& settings, const Message& message, const mime::MimeView& view,
              Direction direction, inspect::Executor& executor);

  // Once the verdict is decided: its footer, body edit or omission tag, when due.
  void add_if_due(Verdict& verdict);

 private:
  const Settings& settings_;
  std::optional<mime::FooterEdit> edit_;
  bool failed_ = false;
  inspect::BackgroundTasks work_;  // last: done with edit_ before edit_ goes
};

// The footer's HTML: the configured fragment, or the text as a paragraph; non-ASCII as
// character references, so that it fits any HTML part's charset.
std::string footer_html(const FooterSettings& footer);

}  // namespace aup
