// The small vocabularies of the policy model: actions, modes, directions, and their names.
#pragma once

#include <optional>
#include <string_view>

namespace aup {

// Ordered by strength: the strongest enforce-mode action of a message wins.
enum class Action { accept, tag, quarantine, reject, tempfail };
enum class Mode { enforce, monitor };
enum class Direction { outbound, internal, inbound };

std::string_view to_string(Action action);
std::string_view to_string(Mode mode);
std::string_view to_string(Direction direction);

std::optional<Action> parse_action(std::string_view name);
std::optional<Mode> parse_mode(std::string_view name);

constexpr bool stronger(Action a, Action b) {
  return static_cast<int>(a) > static_cast<int>(b);
}

}  // namespace aup
