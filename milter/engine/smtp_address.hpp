// RFC 5321 envelope addresses (MAIL FROM / RCPT TO, as Postfix hands them to the milter).
#pragma once

#include <string>
#include <string_view>

namespace aup {

struct MailAddress {
  // Unquoted when its content is a Dot-string ("jo"@x is jo@x), else a Quoted-string with
  // only '"' and '\' escaped: one spelling per mailbox, so comparisons need no more care.
  std::string local;
  std::string domain;      // as written, less one trailing dot
  std::string domain_key;  // domain_key() or address_literal_key(): what comparisons use
  bool literal = false;    // the domain is an address literal ("[192.0.2.1]")

  std::string text() const { return local + "@" + domain; }
};

enum class PathKind { mailbox, null_path, invalid };

struct Path {
  PathKind kind = PathKind::invalid;
  MailAddress mailbox;  // set when kind == mailbox
};

// Path = "<" [ A-d-l ":" ] Mailbox ">" (the source route is dropped: RFC 5321 4.1.2 says
// the mailbox after the colon is the address), "<>" the null path, or a Mailbox alone;
// surrounding white space is ignored. Local-part = Dot-string / Quoted-string, Domain or
// address literal after the last unquoted '@' only if nothing follows it: anything that does
// not match the grammar exactly, or is not UTF-8, is `invalid`. Linear in the input.
Path parse_smtp_path(std::string_view text);

}  // namespace aup
