// Names of actions, modes and directions as they appear in rule files and verdict JSON.
#include "engine/actions.hpp"

namespace aup {

std::string_view to_string(Action action) {
  switch (action) {
    case Action::accept:
      return "accept";
    case Action::tag:
      return "tag";
    case Action::quarantine:
      return "quarantine";
    case Action::reject:
      return "reject";
    case Action::tempfail:
      return "tempfail";
  }
  return "tempfail";
}

std::string_view to_string(Mode mode) {
  return mode == Mode::monitor ? "monitor" : "enforce";
}

std::string_view to_string(Direction direction) {
  switch (direction) {
    case Direction::outbound:
      return "outbound";
    case Direction::internal:
      return "internal";
    case Direction::inbound:
      return "inbound";
  }
  return "inbound";
}

std::optional<Action> parse_action(std::string_view name) {
  for (Action action :
       {Action::accept, Action::tag, Action::quarantine, Action::reject, Action::tempfail}) {
    if (to_string(action) == name) return action;
  }
  return std::nullopt;
}

std::optional<Mode> parse_mode(std::string_view name) {
  if (name == "enforce") return Mode::enforce;
  if (name == "monitor") return Mode::monitor;
  return std::nullopt;
}

}  // namespace aup
