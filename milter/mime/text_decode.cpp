// Transfer-encoding and charset decoding on top of GMime's streams and iconv cache.
#include "mime/text_decode.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

#include "mime/gmime_runtime.hpp"

namespace aup::mime {
namespace {

constexpr size_t kIconvFailed = static_cast<size_t>(-1);

bool is_utf8_alias(const char* charset) {
  return g_ascii_strcasecmp(charset, "utf-8") == 0 || g_ascii_strcasecmp(charset, "utf8") == 0 ||
         g_ascii_strcasecmp(charset, "us-ascii") == 0 || g_ascii_strcasecmp(charset, "ascii") == 0;
}

std::string guess_run(std::string_view run) {
  if (is_valid_utf8(run)) return std::string(run);
  GString_ guessed(g_mime_utils_decode_8bit(nullptr, run.data(), run.size()));
  return guessed.get() != nullptr ? std::string(guessed.get()) : std::string();
}

// GMime's guess returns a C string, so a NUL would cut the text short: guess each NUL-free run
// on its own and keep the NULs for make_valid_utf8 to replace.
std::string guess_8bit(std::string_view bytes) {
  std::string out;
  size_t start = 0;
  for (size_t nul = bytes.find('\0'); nul != std::string_view::npos;
       nul = bytes.find('\0', start)) {
    out += guess_run(bytes.substr(start, nul - start));
    out.push_back('\0');
    start = nul + 1;
  }
  out += guess_run(bytes.substr(start));
  return out;
}

// Converts all of `bytes` (g_mime_iconv_strndup stops at the first U+0000 it produces).
// Invalid input, a character cut off at the end included, fails the whole conversion: a
// charset that lies is better guessed than silently cut short.
bool iconv_all(iconv_t cd, std::string_view bytes, std::string& out) {
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  size_t written = 0;
  out.assign(bytes.size() * 2 + 16, '\0');
  while (true) {
    char* out_ptr = out.data() + written;
    size_t out_left = out.size() - written;
    const size_t result = g_mime_iconv(cd, &in, &in_left, &out_ptr, &out_left);
    written = static_cast<size_t>(out_ptr - out.data());
    if (result != kIconvFailed) break;
    if (errno != E2BIG) return false;
    out.resize(out.size() * 2);
  }
  out.resize(written);
  return true;
}

std::string convert_with_iconv(std::string_view bytes, const char* charset, bool& ok) {
  ok = false;
  iconv_t cd = g_mime_iconv_open("UTF-8", charset);
  if (cd == reinterpret_cast<iconv_t>(-1)) return {};
  std::string converted;
  ok = iconv_all(cd, bytes, converted);
  g_mime_iconv(cd, nullptr, nullptr, nullptr, nullptr);  // the descriptor goes back to a cache
  g_mime_iconv_close(cd);
  return converted;
}

// One RFC 2047 encoded word: =?charset[*language]?B|Q?encoded-text?=
struct EncodedWord {
  size_t begin = 0;
  size_t end = 0;  // one past the closing "?="
  std::string charset;
  char encoding = 'Q';
  std::string_view text;
};

bool has_space_or_control(std::string_view text) {
  for (const unsigned char c : text) {
    if (c <= ' ' || c == 0x7f) return true;
  }
  return false;
}

std::string decode_q(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_') {
      out.push_back(' ');
    } else if (text[i] == '=' && i + 2 < text.size() && g_ascii_isxdigit(text[i + 1]) &&
               g_ascii_isxdigit(text[i + 2])) {
      out.push_back(static_cast<char>(g_ascii_xdigit_value(text[i + 1]) * 16 +
                                      g_ascii_xdigit_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  return c == '/' ? 63 : -1;
}

// The bytes of a run of adjacent encoded words in one charset. Encoders split multi-byte
// characters across words, and some split base64 mid-quantum without padding, so unpadded B
// words continue one bit stream; padding ends it (GMime 3.2.13 carries bits across padding,
// which garbles or drops the words after a padded one: GMime issue #133).
class RunDecoder {
 public:
  void add(const EncodedWord& word) {
    if (word.encoding == 'Q') {
      end_base64();
      bytes_ += decode_q(word.text);
      return;
    }
    for (const char c : word.text)
      add_base64(c);
  }
  const std::string& bytes() const { return bytes_; }

 private:
  void end_base64() {
    bits_ = 0;
    count_ = 0;
  }

  void add_base64(char c) {
    if (c == '=') return end_base64();
    const int value = base64_value(c);
    if (value < 0) return;
    bits_ = (bits_ << 6) | static_cast<guint32>(value);
    count_ += 6;
    if (count_ < 8) return;
    count_ -= 8;
    bytes_.push_back(static_cast<char>((bits_ >> count_) & 0xFF));
    bits_ &= (1U << count_) - 1;
  }

  std::string bytes_;
  guint32 bits_ = 0;
  int count_ = 0;
};

std::optional<EncodedWord> parse_encoded_word(std::string_view raw, size_t at) {
  const size_t charset_end = raw.find('?', at + 2);
  if (charset_end == std::string_view::npos || charset_end + 3 > raw.size()) return std::nullopt;
  const char encoding = g_ascii_toupper(raw[charset_end + 1]);
  if ((encoding != 'B' && encoding != 'Q') || raw[charset_end + 2] != '?') return std::nullopt;
  const size_t text_begin = charset_end + 3;
  // Encoded text holds no '?', so the first one closes the word or there is no word. Stopping
  // there (not searching on for "?=") keeps the scan of a hostile header linear.
  const size_t close = raw.find('?', text_begin);
  if (close == std::string_view::npos || close + 1 >= raw.size() || raw[close + 1] != '=') {
    return std::nullopt;
  }
  std::string_view charset = raw.substr(at + 2, charset_end - at - 2);
  const std::string_view text = raw.substr(text_begin, close - text_begin);
  charset = charset.substr(0, charset.find('*'));  // RFC 2231 language suffix
  if (charset.empty() || has_space_or_control(charset) || has_space_or_control(text)) {
    return std::nullopt;
  }
  return EncodedWord{at, close + 2, std::string(charset), encoding, text};
}

std::optional<EncodedWord> next_encoded_word(std::string_view raw, size_t from) {
  for (size_t at = raw.find("=?", from); at != std::string_view::npos;
       at = raw.find("=?", at + 1)) {
    if (auto word = parse_encoded_word(raw, at)) return word;
  }
  return std::nullopt;
}

bool is_folding_space(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Q-encodes everything but letters and digits, which is safe in text, phrases and parameters.
std::string utf8_q_word(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "=?utf-8?Q?";
  for (const unsigned char c : text) {
    if (g_ascii_isalnum(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'=', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out + "?=";
}

// Splits a header value into plain text and runs of adjacent encoded words in one charset, each
// run decoded to UTF-8 as a whole: encoders split multi-byte characters across words.
// on_text(text, between_runs) gets the text before each run and after the last one.
template <typename OnText, typename OnRun>
void for_each_run(std::string_view raw, OnText on_text, OnRun on_run) {
  size_t copied = 0;
  std::optional<EncodedWord> word = next_encoded_word(raw, 0);
  while (word) {
    on_text(raw.substr(copied, word->begin - copied), copied > 0);
    RunDecoder run;
    run.add(*word);
    std::optional<EncodedWord> next = next_encoded_word(raw, word->end);
    while (next && g_ascii_strcasecmp(next->charset.c_str(), word->charset.c_str()) == 0 &&
           is_folding_space(raw.substr(word->end, next->begin - word->end))) {
      run.add(*next);
      word->end = next->end;
      next = next_encoded_word(raw, word->end);
    }
    on_run(to_utf8(run.bytes(), word->charset.c_str()));
    copied = word->end;
    word = std::move(next);
  }
  on_text(raw.substr(copied), false);
}

}  // namespace

bool is_valid_utf8(std::string_view bytes) noexcept {
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  constexpr uint64_t kLowBits = 0x0101010101010101ULL;
  size_t ascii = 0;  // bytes[0, ascii) are ASCII without NUL, so `ascii` starts a character
  for (; ascii + 8 <= bytes.size(); ascii += 8) {
    uint64_t block = 0;
    std::memcpy(&block, bytes.data() + ascii, sizeof block);
    const bool has_nul = ((block - kLowBits) & ~block & kHighBits) != 0;
    if ((block & kHighBits) != 0 || has_nul) break;
  }
  const std::string_view rest = bytes.substr(ascii);
  return g_utf8_validate_len(rest.data(), rest.size(), nullptr) != 0;
}

std::string make_valid_utf8(std::string_view text) {
  if (is_valid_utf8(text)) return std::string(text);
  GString_ valid(g_utf8_make_valid(text.data(), static_cast<gssize>(text.size())));
  return valid.get();
}

std::string to_utf8(std::string_view bytes, const char* charset) {
  ensure_gmime_initialised();
  if (charset == nullptr || is_utf8_alias(charset)) return make_valid_utf8(guess_8bit(bytes));
  bool ok = false;
  std::string converted = convert_with_iconv(bytes, charset, ok);
  return make_valid_utf8(ok ? converted : guess_8bit(bytes));
}

namespace {

// The length of the invisible mark at `at` (soft hyphen, zero-width space, non-joiner and
// joiner, word joiner, byte-order mark), or 0.
size_t invisible_mark_at(std::string_view text, size_t at) {
  static constexpr std::string_view kInvisible[] = {"\u00AD", "\u200B", "\u200C",
                                                    "\u200D", "\u2060", "\uFEFF"};
  for (const std::string_view mark : kInvisible) {
    if (text.substr(at, mark.size()) == mark) return mark.size();
  }
  return 0;
}

// Every mark starts with one of these bytes: the rest of the text is copied without a look.
bool may_start_invisible(unsigned char c) {
  return c == 0xC2 || c == 0xE2 || c == 0xEF;
}

}  // namespace

std::string drop_invisible(std::string text) {
  size_t out = 0;
  for (size_t in = 0; in < text.size();) {
    if (may_start_invisible(static_cast<unsigned char>(text[in]))) {
      if (const size_t mark = invisible_mark_at(text, in); mark != 0) {
        in += mark;
        continue;
      }
    }
    text[out++] = text[in++];
  }
  text.resize(out);
  return text;
}

std::string normalise_encoded_words(std::string_view raw_value) {
  std::string out;
  for_each_run(
      raw_value, [&](std::string_view text, bool) { out += text; },
      [&](const std::string& utf8) { out += utf8_q_word(utf8); });
  return out;
}

// Decoded here rather than by g_mime_utils_header_decode_text, which also keeps adjacent B
// words on one base64 state and is quadratic in the number of "=?" that open no word.
std::string decode_header_text(std::string_view raw_value) {
  ensure_gmime_initialised();
  GString_ unfolded(g_mime_utils_header_unfold(std::string(raw_value).c_str()));
  if (unfolded.get() == nullptr) return {};
  std::string out;
  for_each_run(
      unfolded.get(),
      [&](std::string_view text, bool between_runs) {
        // White space between two encoded words is not text (RFC 2047 section 6.2).
        if (!between_runs || !is_folding_space(text)) out += to_utf8(text, nullptr);
      },
      [&](const std::string& utf8) { out += utf8; });
  return drop_invisible(make_valid_utf8(out));
}

std::string decoded_bytes(GMimePart* part, size_t max_bytes, size_t& total_size) {
  total_size = 0;
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return {};
  GPtr<GMimeStream> sink(g_mime_stream_mem_new());
  g_mime_data_wrapper_write_to_stream(content, sink.get());
  GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(sink.get()));
  if (array == nullptr) return {};
  total_size = array->len;
  return std::string(reinterpret_cast<const char*>(array->data), std::min(total_size, max_bytes));
}

}  // namespace aup::mime
