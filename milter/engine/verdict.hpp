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

// A top-level field set with a changed body: replaced when present, else added.
struct FieldSet {
  std::string name;
  std::string value;
  bool present = false;
};

// A changed body (smfi_replacebody) and the top-level fields that go with it.
struct BodyEdit {
  std::string body;  // everything after the header block, CRLF
  std::vector<FieldSet> set_headers;
};

// What became of the corporate footer, when one was due (outbound, accepted or tagged).
struct FooterReport {
  std::string outcome;             // "added", "signed or encrypted", ...
  std::vector<std::string> parts;  // where it was added
};

struct Verdict {
  Action action = Action::tempfail;
  Direction direction = Direction::inbound;
  std::vector<Match> matches;
  std::optional<Reply> reply;  // present for reject and tempfail
  std::vector<HeaderEdit> add_headers;
  std::optional<BodyEdit> body_edit;
  std::optional<FooterReport> footer;
};

// The distinct values of one field of `matches` (rule ids, clauses), in first-seen order.
std::vector<std::string> distinct(const std::vector<Match>& matches, std::string Match::*field);

// Keys in a fixed, readable order: action first.
nlohmann::ordered_json to_json(const Verdict& verdict);

}  // namespace aup
