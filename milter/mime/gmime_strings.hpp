// Small string helpers for values that come out of GMime (C strings, ASCII case rules).
#pragma once

#include <gmime/gmime.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "mime/text_decode.hpp"

namespace aup::mime {

inline std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(g_ascii_tolower(c)); });
  return text;
}

// A GMime string as valid UTF-8; null becomes "".
inline std::string safe(const char* text) {
  return text != nullptr ? make_valid_utf8(text) : "";
}

inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && g_ascii_strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace aup::mime
