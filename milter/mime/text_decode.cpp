// Transfer-encoding and charset decoding on top of GMime's streams and iconv cache.
#include "mime/text_decode.hpp"

#include "mime/gmime_runtime.hpp"

namespace aup::mime {
namespace {

bool is_utf8_alias(const char* charset) {
  return g_ascii_strcasecmp(charset, "utf-8") == 0 || g_ascii_strcasecmp(charset, "utf8") == 0 ||
         g_ascii_strcasecmp(charset, "us-ascii") == 0 || g_ascii_strcasecmp(charset, "ascii") == 0;
}

std::string guess_8bit(std::string_view bytes) {
  GString_ guessed(g_mime_utils_decode_8bit(nullptr, bytes.data(), bytes.size()));
  return guessed.get() != nullptr ? std::string(guessed.get()) : std::string();
}

std::string convert_with_iconv(std::string_view bytes, const char* charset, bool& ok) {
  ok = false;
  iconv_t cd = g_mime_iconv_open("UTF-8", charset);
  if (cd == reinterpret_cast<iconv_t>(-1)) return {};
  GString_ converted(g_mime_iconv_strndup(cd, bytes.data(), bytes.size()));
  g_mime_iconv_close(cd);
  if (converted.get() == nullptr) return {};
  ok = true;
  return converted.get();
}

}  // namespace

std::string make_valid_utf8(std::string_view text) {
  if (g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) {
    return std::string(text);
  }
  GString_ valid(g_utf8_make_valid(text.data(), static_cast<gssize>(text.size())));
  return valid.get();
}

std::string to_utf8(std::string_view bytes, const char* charset) {
  ensure_gmime_initialised();
  const bool valid_utf8 =
      g_utf8_validate(bytes.data(), static_cast<gssize>(bytes.size()), nullptr) != 0;
  if (charset == nullptr || is_utf8_alias(charset)) {
    return valid_utf8 ? std::string(bytes) : make_valid_utf8(guess_8bit(bytes));
  }
  bool ok = false;
  std::string converted = convert_with_iconv(bytes, charset, ok);
  if (ok) return make_valid_utf8(converted);
  return valid_utf8 ? std::string(bytes) : make_valid_utf8(guess_8bit(bytes));
}

std::string decoded_bytes(GMimePart* part, size_t max_bytes, bool& truncated) {
  truncated = false;
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return {};
  GPtr<GMimeStream> sink(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(content, sink.get());
  GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(sink.get()));
  if (array == nullptr) return {};
  size_t size = array->len;
  if (size > max_bytes) {
    size = max_bytes;
    truncated = true;
  }
  return std::string(reinterpret_cast<const char*>(array->data), size);
}

}  // namespace aup::mime
