// In-place text substitution shared by reply templates and statement normalisation.
#pragma once

#include <string>
#include <string_view>

namespace aup {

// Replaces every occurrence of `from` (non-empty) with `to`, left to right, never rescanning
// replaced text.
inline void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace aup
