// Which parts of a message are its own text, where a footer goes: GMime objects in, parts
// out. Used by footer.cpp only.
#pragma once

#include <gmime/gmime.h>

#include <string>
#include <vector>

namespace aup::mime {

struct FooterTarget {
  GMimePart* part;
  std::string path;  // "1", "1.2": the part's place, as the view numbers parts
  bool html;
};

// Signatures and encryption outside forwarded messages: any byte changed would break them.
bool signed_or_encrypted(GMimeObject* object);

// The message's own text: a body text part; every version in an alternative; the root of a
// related; the first part of a mixed. Attachments and forwarded messages are never targets.
std::vector<FooterTarget> footer_targets(GMimeObject* top);

}  // namespace aup::mime
