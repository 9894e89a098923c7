#include "mime/footer_text.hpp"

#include <algorithm>

#include "mime/gmime_strings.hpp"

namespace aup::mime {
namespace {

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  size_t at = 0;
  while (at <= text.size()) {
    const size_t end = text.find('\n', at);
    std::string line(text.substr(at, end == std::string_view::npos ? end : end - at));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (end == std::string_view::npos) {
      if (!line.empty()) lines.push_back(line);
      break;
    }
    lines.push_back(line);
    at = end + 1;
  }
  return lines;
}

// RFC 3676: no trailing space (that would make the line flowed), and lines that begin with a
// space, ">" or "From " get one space in front, which readers remove.
std::string flowed_safe(std::string line) {
  while (!line.empty() && line.back() == ' ')
    line.pop_back();
  if (!line.empty() && (line.front() == ' ' || line.front() == '>' || line.starts_with("From "))) {
    line.insert(line.begin(), ' ');
  }
  return line;
}

// `text` with every line end (CRLF or LF) written as `eol`.
std::string with_eol(std::string_view text, std::string_view eol) {
  if (eol == "\n") {
    std::string out(text);
    for (size_t at = out.find("\r\n"); at != std::string::npos; at = out.find("\r\n", at)) {
      out.erase(at, 1);
    }
    return out;
  }
  std::string out;
  out.reserve(text.size() + text.size() / 50 + 2);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string own_eol(std::string_view content, std::string_view fallback) {
  if (content.find("\r\n") != std::string_view::npos) return "\r\n";
  if (content.find('\n') != std::string_view::npos) return "\n";
  return std::string(fallback);
}

std::string append_plain(std::string_view content, std::string_view footer, bool flowed,
                         std::string_view default_eol) {
  const std::string eol = own_eol(content, default_eol);
  std::string out(content);
  if (!out.empty() && out.back() != '\n') out += eol;
  out += eol;
  for (std::string line : lines_of(footer)) {
    out += (flowed ? flowed_safe(std::move(line)) : line) + eol;
  }
  return out;
}

std::string insert_html(std::string_view content, std::string_view fragment,
                        std::string_view default_eol) {
  const std::string lowered = lower(std::string(content));
  const size_t body_end = lowered.rfind("</body");
  std::string out(content);
  if (body_end == std::string::npos) {
    const std::string eol = own_eol(content, default_eol);
    if (!out.empty() && out.back() != '\n') out += eol;
    return out + with_eol(fragment, eol) + eol;
  }
  // On lines of its own: a long one-line body must not grow past 998 octets.
  const std::string eol = own_eol(content, default_eol);
  out.insert(body_end, eol + with_eol(fragment, eol) + eol);
  return out;
}

std::optional<std::string> in_charset(std::string_view text, const char* charset) {
  if (charset != nullptr) {
    const std::string name = lower(charset);
    if (name.starts_with("utf-16") || name.starts_with("utf-32") || name.starts_with("ucs") ||
        name == "utf-7" || name == "unicode-1-1-utf-7") {
      return std::nullopt;
    }
  }
  if (is_ascii(text)) return std::string(text);
  if (charset == nullptr || *charset == '\0' || iequals(charset, "us-ascii")) return std::nullopt;
  if (iequals(charset, "utf-8") || iequals(charset, "utf8")) return std::string(text);
  iconv_t cd = g_mime_iconv_open(charset, "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(text.size() * 4 + 16, '\0');
  char* in = const_cast<char*>(text.data());
  size_t in_left = text.size();
  char* out_ptr = out.data();
  size_t out_left = out.size();
  const size_t result = g_mime_iconv(cd, &in, &in_left, &out_ptr, &out_left);
  const size_t flushed = g_mime_iconv(cd, nullptr, nullptr, &out_ptr, &out_left);
  g_mime_iconv_close(cd);
  if (result == static_cast<size_t>(-1) || flushed == static_cast<size_t>(-1) || in_left != 0) {
    return std::nullopt;  // a character the charset does not have
  }
  out.resize(out.size() - out_left);
  return out;
}

std::string encode_content(std::string_view decoded, GMimeContentEncoding encoding,
                           std::string_view eol) {
  if (encoding != GMIME_CONTENT_ENCODING_BASE64 &&
      encoding != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE) {
    return std::string(decoded);
  }
  // Quoted-printable text is encoded with LF ends (which become hard line breaks); base64
  // carries the content's own line ends.
  std::string input(decoded);
  if (encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE) {
    input.erase(std::remove(input.begin(), input.end(), '\r'), input.end());
  }
  GMimeEncoding state;
  g_mime_encoding_init_encode(&state, encoding);
  std::string out(g_mime_encoding_outlen(&state, input.size()) + 16, '\0');
  const size_t written = g_mime_encoding_flush(&state, input.data(), input.size(), out.data());
  out.resize(written);
  return with_eol(out, eol);
}

}  // namespace aup::mime
