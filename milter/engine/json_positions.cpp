// A minimal structural walk over already-validated JSON, recording where each value starts.
#include "engine/json_positions.hpp"

#include <algorithm>

namespace aup {
namespace {

class PositionIndexer {
 public:
  explicit PositionIndexer(std::string_view text) : text_(text) {}

  std::map<std::string, TextPosition> run() {
    skip_space();
    value("");
    return std::move(positions_);
  }

 private:
  void value(const std::string& pointer) {
    positions_[pointer] = here();
    if (at_ >= text_.size()) return;
    const char c = text_[at_];
    if (c == '{') {
      object(pointer);
    } else if (c == '[') {
      array(pointer);
    } else if (c == '"') {
      string();
    } else {
      while (at_ < text_.size() &&
             std::string_view(",]} \t\r\n").find(text_[at_]) == std::string_view::npos) {
        advance();
      }
    }
  }

  void object(const std::string& pointer) {
    advance();  // {
    skip_space();
    while (at_ < text_.size() && text_[at_] != '}') {
      const std::string key = string();
      skip_space();
      advance();  // :
      skip_space();
      value(pointer + "/" + escape(key));
      skip_space();
      if (at_ < text_.size() && text_[at_] == ',') advance();
      skip_space();
    }
    advance();  // }
  }

  void array(const std::string& pointer) {
    advance();  // [
    skip_space();
    for (size_t index = 0; at_ < text_.size() && text_[at_] != ']'; ++index) {
      value(pointer + "/" + std::to_string(index));
      skip_space();
      if (at_ < text_.size() && text_[at_] == ',') advance();
      skip_space();
    }
    advance();  // ]
  }

  // Returns the raw key text; escapes inside keys are rare in rule files and kept as written.
  std::string string() {
    advance();  // opening quote
    const size_t start = at_;
    while (at_ < text_.size() && text_[at_] != '"') {
      if (text_[at_] == '\\') advance();
      advance();
    }
    std::string raw(text_.substr(start, at_ - start));
    advance();  // closing quote
    return raw;
  }

  static std::string escape(const std::string& key) {
    std::string out;
    for (const char c : key) {
      if (c == '~') {
        out += "~0";
      } else if (c == '/') {
        out += "~1";
      } else {
        out.push_back(c);
      }
    }
    return out;
  }

  void skip_space() {
    while (at_ < text_.size() &&
           std::string_view(" \t\r\n").find(text_[at_]) != std::string_view::npos) {
      advance();
    }
  }

  void advance() {
    if (at_ >= text_.size()) return;
    if (text_[at_] == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(text_[at_]) & 0xC0) != 0x80) {
      ++column_;  // count characters, not UTF-8 continuation bytes
    }
    ++at_;
  }

  TextPosition here() const { return {line_, column_}; }

  std::string_view text_;
  size_t at_ = 0;
  int line_ = 1;
  int column_ = 1;
  std::map<std::string, TextPosition> positions_;
};

}  // namespace

std::map<std::string, TextPosition> index_json_positions(std::string_view text) {
  return PositionIndexer(text).run();
}

size_t max_nesting_depth(std::string_view text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

TextPosition position_of_offset(std::string_view text, size_t offset) {
  TextPosition position;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++position.column;  // characters, as index_json_positions counts them
    }
  }
  return position;
}

}  // namespace aup
