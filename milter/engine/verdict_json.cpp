// Serialises a Verdict into the JSON object that `aupctl check` prints and tools parse, and
// lists the distinct values of its matches for headers and logs.
#include "engine/verdict.hpp"

#include <algorithm>

namespace aup {
namespace {

nlohmann::ordered_json match_json(const Match& match) {
  return {{"rule", match.rule},
          {"policy_ref", match.policy_ref},
          {"action", to_string(match.action)},
          {"mode", to_string(match.mode)},
          {"scope", match.scope},
          {"detail", match.detail}};
}

}  // namespace

std::vector<std::string> distinct(const std::vector<Match>& matches, std::string Match::*field) {
  std::vector<std::string> seen;
  for (const Match& match : matches) {
    if (std::find(seen.begin(), seen.end(), match.*field) == seen.end()) {
      seen.push_back(match.*field);
    }
  }
  return seen;
}

nlohmann::ordered_json to_json(const Verdict& verdict) {
  nlohmann::ordered_json out = {{"action", to_string(verdict.action)},
                                {"direction", to_string(verdict.direction)},
                                {"matches", nlohmann::ordered_json::array()},
                                {"add_headers", nlohmann::ordered_json::array()}};
  for (const Match& match : verdict.matches)
    out["matches"].push_back(match_json(match));
  for (const HeaderEdit& edit : verdict.add_headers) {
    out["add_headers"].push_back({{"name", edit.name}, {"value", edit.value}});
  }
  if (verdict.footer) {
    out["footer"] = {{"outcome", verdict.footer->outcome}, {"parts", verdict.footer->parts}};
  }
  if (verdict.body_edit) {
    out["set_headers"] = nlohmann::ordered_json::array();
    for (const FieldSet& edit : verdict.body_edit->set_headers) {
      out["set_headers"].push_back({{"name", edit.name}, {"value", edit.value}});
    }
  }
  if (verdict.reply) {
    out["reply"] = {{"code", verdict.reply->code},
                    {"xcode", verdict.reply->xcode},
                    {"text", verdict.reply->text}};
  }
  return out;
}

}  // namespace aup
