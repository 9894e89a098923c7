// A lenient parameter reader for Content-Type values: quotes, RFC 2231 forms, no conversion.
#include "mime/boundary_params.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "mime/gmime_strings.hpp"

namespace aup::mime {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return text;
}

struct Param {
  std::string name;   // lower case, "boundary*0*"
  std::string value;  // unquoted
};

// The value at `pos` (after '='): a quoted string with its escapes undone, or a token.
std::string read_value(std::string_view text, size_t& pos) {
  std::string value;
  while (pos < text.size() && is_space(text[pos]))
    ++pos;
  if (pos < text.size() && text[pos] == '"') {
    for (++pos; pos < text.size() && text[pos] != '"'; ++pos) {
      if (text[pos] == '\\' && pos + 1 < text.size()) ++pos;
      value += text[pos];
    }
    ++pos;  // the closing quote
    return value;
  }
  while (pos < text.size() && text[pos] != ';' && !is_space(text[pos]))
    value += text[pos++];
  return value;
}

std::vector<Param> read_params(std::string_view text) {
  std::vector<Param> params;
  size_t pos = text.find(';');
  while (pos != std::string_view::npos && pos < text.size()) {
    const size_t equals = text.find('=', pos + 1);
    if (equals == std::string_view::npos) break;
    const size_t semicolon = text.find(';', pos + 1);
    if (semicolon < equals) {  // a parameter without a value
      pos = semicolon;
      continue;
    }
    Param param{lower(std::string(trim(text.substr(pos + 1, equals - pos - 1)))), ""};
    pos = equals + 1;
    param.value = read_value(text, pos);
    params.push_back(std::move(param));
    pos = text.find(';', pos);
  }
  return params;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

std::string percent_decoded(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const int high = i + 2 < text.size() && text[i] == '%' ? hex_digit(text[i + 1]) : -1;
    const int low = high >= 0 ? hex_digit(text[i + 2]) : -1;
    if (low < 0) {
      out += text[i];
      continue;
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

// RFC 2231 extended value: charset'language'percent-encoded bytes.
std::string extended_value(std::string_view value) {
  const size_t first = value.find('\'');
  const size_t second = first == std::string_view::npos ? first : value.find('\'', first + 1);
  if (second == std::string_view::npos) return percent_decoded(value);
  return percent_decoded(value.substr(second + 1));
}

void add_distinct(std::vector<std::string>& values, std::string value) {
  if (value.empty()) return;
  if (std::find(values.begin(), values.end(), value) == values.end())
    values.push_back(std::move(value));
}

}  // namespace

std::string raw_media_type(std::string_view value) {
  return lower(std::string(trim(value.substr(0, value.find(';')))));
}

std::vector<std::string> raw_boundaries(std::string_view value) {
  std::vector<std::string> found;
  std::map<int, std::string> sections;  // boundary*0, boundary*1, ...
  for (const Param& param : read_params(value)) {
    const std::string_view name = param.name;
    if (name == "boundary") {
      add_distinct(found, param.value);
    } else if (name == "boundary*") {
      add_distinct(found, extended_value(param.value));
    } else if (name.starts_with("boundary*") && name.size() > 9 && std::isdigit(name[9])) {
      const bool encoded = name.ends_with('*');
      const int index = std::atoi(std::string(name.substr(9)).c_str());
      if (index < 0 || index > 64) continue;
      sections[index] =
          encoded ? (index == 0 ? extended_value(param.value) : percent_decoded(param.value))
                  : param.value;
    }
  }
  std::string joined;
  for (const auto& [index, section] : sections)
    joined += section;
  add_distinct(found, std::move(joined));
  return found;
}

}  // namespace aup::mime
