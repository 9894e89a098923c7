// Builds a real MIME message from a few fields, for rule examples and tests.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace aup::mime {

struct DraftAttachment {
  std::string filename;
  std::string content_type = "application/octet-stream";
  std::string content;
};

struct Draft {
  std::string from;
  std::vector<std::string> to, cc;
  std::string subject;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string text;  // text/plain body, may be empty
  std::string html;  // text/html body, may be empty (both: multipart/alternative)
  std::vector<DraftAttachment> attachments;
};

// RFC 5322 bytes with LF line ends; non-ASCII text is encoded (RFC 2047, base64, QP) by GMime.
std::string compose_message(const Draft& draft);

}  // namespace aup::mime
