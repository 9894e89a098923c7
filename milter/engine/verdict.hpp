// The engine's answer for one message, and its JSON form (the `aupctl check` contract).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "engine/actions.hpp"

namespace aup {

struct Match {
  std::string rule;
  std::string policy_ref;
  Action action = Action::accept;
  Mode mode = Mode::enforce;
  std::string scope;
  std::string detail;  // short, human, valid UTF-8: e.g. the matched excerpt
};

struct Reply {
  std::string code;   // "550"
  std::string xcode;  // "5.7.1"
  std::string text;   // one line, printable ASCII, names the clause
};

struct HeaderEdit {
  std::string name;
  std::string value;
};

struct Verdict {
  Action action = Action::tempfail;
  Direction direction = Direction::inbound;
  std::vector<Match> matches;
  std::optional<Reply> reply;  // present for reject and tempfail
  std::vector<HeaderEdit> add_headers;
};

// The distinct values of one field of `matches` (rule ids, clauses), in first-seen order.
std::vector<std::string> distinct(const std::vector<Match>& matches, std::string Match::*field);

// Keys in a fixed, readable order: action first.
nlohmann::ordered_json to_json(const Verdict& verdict);

}  // namespace aup
